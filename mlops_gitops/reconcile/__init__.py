"""The reconciler: desired state (from specs) vs observed state (files, inventory) -> a plan.

``plan`` is pure and safe on untrusted pull requests; only ``apply`` writes, atomically, under a
lock, and only to what it owns.
"""
