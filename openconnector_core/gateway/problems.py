"""Gateway error responses in the problem shape of the original: the media type (the documents
themselves are built by :mod:`openconnector_core.gateway.response`)."""

from __future__ import annotations

PROBLEM_CONTENT_TYPE = "application/problem+json"
