"""Endpoint targets: ``register/schema`` (the object store) and ``api`` (a proxy to a source)."""
