"""The request log: what a served model saw and said, written by serving, read by monitoring.

Modules, one job each (this package imports neither serving nor monitoring)::

    layout   where a deployment's log and labels live (a folder or an object-store URI)
             and how replicas name their hour-partitioned files
    files    PartitionedWriter: one replica's atomic, numbered Parquet files
    writer   RequestLogSettings, RequestLogWriter: the bounded background writer
    window   read_current_window: the rows of a time window, local or in object storage
"""
