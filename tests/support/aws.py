"""moto for tests that race real threads."""

from __future__ import annotations

import threading
from typing import Any

# One lock for every client: moto keeps one backend per process, whichever client reaches it.
_MOTO = threading.Lock()


class SerialClient:
    """A boto3 client whose requests reach moto one at a time. moto's in-process backend is not
    thread-safe (a conditional put can interleave with another write); DynamoDB applies each request
    atomically, which one lock per request models. Threads still interleave between requests, which
    is where the races of our own logic are."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute) or name.startswith("_"):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            with _MOTO:
                return attribute(*args, **kwargs)

        return call
