"""Pure renderers: spec objects in, file contents out (no I/O, deterministic)."""
