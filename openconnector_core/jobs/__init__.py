"""Jobs (§7): scheduled actions run by the JobRunnerFunction every minute, or by hand."""

from __future__ import annotations

from openconnector_core.jobs.runner import JobRunner

__all__ = ["JobRunner"]
