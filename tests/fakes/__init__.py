"""Real stand-ins for external services, for tests: servers on 127.0.0.1 with in-memory state."""
