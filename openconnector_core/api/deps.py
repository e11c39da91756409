"""How routes reach the composition root. Imported lazily so that ``/api/health`` stays cheap."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openconnector_core.container import Container


def container() -> Container:
    from openconnector_core.container import get_container

    return get_container()
