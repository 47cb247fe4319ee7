"""The request log: what a served model saw and said, written by serving, read by monitoring.

Modules, one job each (this package imports neither serving nor monitoring)::

    layout   where a deployment's log and labels live (a folder or an object-store URI)
             and how replicas name their hour-partitioned files
    files    PartitionedWriter: one replica's atomic, numbered Parquet files
    buffered BufferedWriter: the bounded background writer (request log and labels)
    writer   RequestLogSettings, RequestLogWriter: the request log's rows on that writer
    window   read_current_window: the rows of a time window, local or in object storage
    served_ids  LoggedIds: the request ids of a window, whichever replica served them
"""
