"""The gateway's view of its configuration, kept per container (docs/adr/0210).

Every write of an endpoint, rule, mapping, consumer, register or schema replaces one *version
item* with a fresh token (:func:`bump_version`, called by the entity service after the write). A
warm gateway reads that one item at most every ``check_every`` seconds; when the token changed it
drops its snapshot and lists the configuration again. Requests in between do no table read to find
their endpoint, rules, mappings, consumers or register/schema. A new token (not a counter) needs
no read-modify-write: any change of the value means "changed", so concurrent writers cannot lose
an update.

The token is read *before* the lists, so a write racing a reload is seen by the next check. A
snapshot older than ``max_age`` is rebuilt even without a new token (a lost bump heals itself).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from openconnector_core.errors import ConflictError, NotFoundError
from openconnector_core.ids import new_id
from openconnector_core.mapping import REVISION_KEY
from openconnector_core.store.ports import EntityStore
from openconnector_core.store.query import every_item

if TYPE_CHECKING:
    from openconnector_core.objects.ports import SchemaRef

logger = logging.getLogger(__name__)

STATE_NAMESPACE = "gateway-state"
VERSION_ID = "version"
# Writes to these change what the gateway serves.
WATCHED_RESOURCES = frozenset({"endpoints", "rules", "mappings", "consumers", "registers", "schemas"})
CHECK_EVERY_SECONDS = 2.0
MAX_AGE_SECONDS = 300.0
# entities.secrets.SECRET_REF; importing it would load the entities package (pydantic) on the cold path
_SECRET_REF = "secretRef"  # noqa: S105 - a field name, not a secret


def bump_version(store: EntityStore, resource: str) -> None:
    """Mark the gateway configuration changed (after a committed write to ``resource``). A failure
    is logged, not raised: the write stands, and snapshots expire after ``MAX_AGE_SECONDS`` anyway."""
    if resource not in WATCHED_RESOURCES:
        return
    item = {"id": VERSION_ID, "token": new_id()}
    try:
        try:
            store.replace(STATE_NAMESPACE, item)
        except NotFoundError:
            try:
                store.create(STATE_NAMESPACE, item)
            except ConflictError:  # another writer created it first; ours is newer or equal
                store.replace(STATE_NAMESPACE, {**item, "token": new_id()})
    except Exception:
        logger.warning(
            "Could not mark the gateway configuration changed after a %s write", resource, exc_info=True
        )


def read_version(store: EntityStore) -> str | None:
    try:
        return str(store.get(STATE_NAMESPACE, VERSION_ID).item.get("token"))
    except NotFoundError:
        return None


@dataclass(frozen=True, slots=True)
class LoadedEndpoint:
    """An endpoint as the matcher sees it, with its stored item."""

    endpoint: str
    method: str | None
    name: str | None
    item: dict[str, Any]


@dataclass
class Snapshot:
    """The configuration at one version: endpoints and rules listed on first use (a synchronization
    worker resolving sub-mappings never lists them), mappings and consumers memoized on first use."""

    token: str | None
    loaded_at: float
    lists: Callable[[str], list[dict[str, Any]]]  # every item of a resource (rules revealed)
    _endpoints: list[LoadedEndpoint] | None = None
    _rules: dict[str, dict[str, Any]] | None = None
    mappings: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    consumers: list[dict[str, Any]] | None = None  # revealed (credentials in clear), in memory only
    targets: dict[str, str | None] = field(default_factory=dict)  # register/schema key → GET endpoint
    refs: dict[str, SchemaRef] = field(default_factory=dict)  # "register/schema" as written → resolved

    @property
    def endpoints(self) -> list[LoadedEndpoint]:
        if self._endpoints is None:
            self._endpoints = [
                LoadedEndpoint(str(item.get("endpoint") or ""), item.get("method"), item.get("name"), item)
                for item in self.lists("endpoints")
            ]
        return self._endpoints

    @property
    def rules(self) -> dict[str, dict[str, Any]]:  # by id, uuid and slug
        if self._rules is None:
            rules: dict[str, dict[str, Any]] = {}
            for rule in self.lists("rules"):
                for key in (rule.get("id"), rule.get("uuid"), rule.get("slug")):
                    if key:
                        rules.setdefault(str(key), rule)
            self._rules = rules
        return self._rules


class GatewayCache:
    """The configuration as the gateway and the mapping engine's ``executeMapping`` see it: one per
    container."""

    def __init__(
        self,
        store: EntityStore,
        *,
        reveal: Callable[[str, str], dict[str, Any]],
        check_every: float = CHECK_EVERY_SECONDS,
        max_age: float = MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._reveal = reveal  # an entity with its secrets in clear (consumers' credentials)
        self._check_every = check_every
        self._max_age = max_age
        self._clock = clock
        self._snapshot: Snapshot | None = None
        self._checked_at = float("-inf")

    def current(self, *, recheck: bool = False) -> Snapshot:
        """The snapshot, refreshed when the version changed (checked at most every ``check_every``
        seconds; ``recheck`` checks now — one item read — e.g. before answering 404)."""
        now = self._clock()
        snapshot = self._snapshot
        due = recheck or now - self._checked_at >= self._check_every
        if snapshot is None or now - snapshot.loaded_at >= self._max_age:
            return self._load(read_version(self._store), now)
        if due:
            self._checked_at = now
            token = read_version(self._store)
            if token != snapshot.token:
                return self._load(token, now)
        return snapshot

    def _load(self, token: str | None, now: float) -> Snapshot:
        self._snapshot = Snapshot(token, now, self._listed)
        self._checked_at = now
        return self._snapshot

    def _listed(self, resource: str) -> list[dict[str, Any]]:
        return self._list(resource, revealed=resource == "rules")  # a rule may keep API keys

    def _list(self, resource: str, *, revealed: bool = False) -> list[dict[str, Any]]:
        """Every item; with ``revealed``, those that keep secrets (a rule's API keys, say) in clear."""
        return [
            self._reveal(resource, str(item["id"]))
            if revealed and item.get(_SECRET_REF)
            else {k: v for k, v in item.items() if k != _SECRET_REF}
            for item in every_item(self._store, resource)
        ]

    # -- memoized lookups -------------------------------------------------------------------------
    def mapping(self, ref: str) -> dict[str, Any] | None:
        """A mapping by id, uuid, slug or reference (``None`` when there is none)."""
        snapshot = self.current()
        if ref not in snapshot.mappings:
            snapshot.mappings[ref] = self._find_mapping(ref)
        return snapshot.mappings[ref]

    def _find_mapping(self, ref: str) -> dict[str, Any] | None:
        if ref.startswith("http"):
            page = self._store.list("mappings", filters={"reference": ref}, limit=1)
            return page.items[0] if page.items else None
        try:
            stored = self._store.get("mappings", ref)
        except NotFoundError:
            return None
        return {**{k: v for k, v in stored.item.items() if k != _SECRET_REF}, REVISION_KEY: stored.etag}

    def schema_ref(self, key: str, resolve: Callable[[str], SchemaRef]) -> SchemaRef:
        """A ``register/schema`` reference resolved once per version (registers and schemas are
        watched too); an unknown one raises what ``resolve`` raises, every time."""
        snapshot = self.current()
        found = snapshot.refs.get(key)
        if found is None:
            found = snapshot.refs[key] = resolve(key)
        return found

    def consumers(self) -> list[dict[str, Any]]:
        """Every consumer with its credentials revealed (read once per version)."""
        snapshot = self.current()
        if snapshot.consumers is None:
            snapshot.consumers = self._list("consumers", revealed=True)
        return snapshot.consumers
