"""The management API's routes, split with Powertools ``Router``; ``functions/management`` wires them.

Order matters and is explicit: action routes (``/api/mappings/test``, ``/api/sources/<key>/test``,
``/api/call-logs``) are registered before the generic ``/api/<res>`` / ``/api/<res>/<key>`` CRUD
routes, and so are the original's paths (``aliases``). (Powertools also tries static paths before dynamic
ones, and ``<param>`` never matches ``/``.)
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router


def routers() -> list[Router]:
    """Every router of the management API, most specific first."""
    from openconnector_core.api import (
        actions,
        aliases,
        configurations,
        events,
        jobs,
        objects,
        resources,
        synchronizations,
        system,
    )

    return [
        system.router,
        aliases.router,
        actions.router,
        objects.router,
        synchronizations.router,
        jobs.router,
        events.router,
        configurations.router,
        resources.router,
    ]
