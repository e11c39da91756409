"""Endpoint rule types: one module each, registered by name.

A rule function takes ``(rule, data, flow)`` and returns the data for the next rule or a
:class:`~openconnector_core.gateway.response.GatewayResponse` that ends the chain.
"""

from __future__ import annotations

from typing import Any

from openconnector_core.errors import ValidationError
from openconnector_core.gateway.chain import RuleFunction
from openconnector_core.gateway.rules import (
    audit_trail,
    authentication,
    download,
    error,
    extend_external_input,
    extend_input,
    filepart_upload,
    fileparts_create,
    locking,
    mapping,
    override,
    save_object,
    synchronization,
    write_file,
)

REGISTRY: dict[str, RuleFunction] = {
    "authentication": authentication.run,
    "error": error.run,
    "mapping": mapping.run,
    "synchronization": synchronization.run,
    "save_object": save_object.run,
    "extend_input": extend_input.run,
    "extend_external_input": extend_external_input.run,
    "audit_trail": audit_trail.run,
    "locking": locking.run,
    "download": download.run,
    "write_file": write_file.run,
    "fileparts_create": fileparts_create.run,
    "filepart_upload": filepart_upload.run,
    "override": override.run,
}
# Refused on save; a stored one (imported before this check) is skipped with a warning.
UNSUPPORTED = frozenset({"javascript", "custom"})


def check_rule(wire: dict[str, Any]) -> None:
    """Save-time check of a rule (the rules resource ``check``): its type must be implemented."""
    rule_type = wire.get("type")
    if rule_type in UNSUPPORTED:
        raise ValidationError(
            f"Rule type {rule_type!r} is not supported: stored code is not run by this gateway",
            fields=["type"],
        )
    # The entity enums import the entity package (pydantic): only saving a rule needs them, and a
    # gateway request never does. Types only synchronizations run are valid too (an endpoint that
    # has one answers 500 "Unsupported rule type").
    from openconnector_core.entities.enums import RULE_TYPES

    valid = sorted((set(REGISTRY) | set(RULE_TYPES)) - UNSUPPORTED)
    if rule_type is not None and rule_type not in valid:
        raise ValidationError(f"Unknown rule type {rule_type!r}; valid: {', '.join(valid)}", fields=["type"])
