"""Template parameters checked the way CloudFormation checks them, before the local stack starts.

``openconnector serve -P OutboundAllow=not-a-cidr/99`` stops with the parameter's own
``ConstraintDescription`` instead of starting functions that fail at every cold start.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any


def parameter_problems(document: Mapping[str, Any], overrides: Mapping[str, str]) -> list[str]:
    """One message per parameter whose value (override, else default) breaks its constraints."""
    problems: list[str] = []
    for name, spec in (document.get("Parameters") or {}).items():
        if not isinstance(spec, Mapping):
            continue
        if name in overrides:
            value: Any = overrides[name]
        elif "Default" in spec:
            value = spec["Default"]
        else:
            continue  # CloudFormation would ask for it; the local stack runs without
        reason = _violation(spec, str(value))
        if reason:
            # CloudFormation shows the ConstraintDescription instead of the rule when there is one.
            problems.append(f"Parameter {name}: {value!r} {spec.get('ConstraintDescription') or reason}")
    return problems


def _violation(spec: Mapping[str, Any], value: str) -> str | None:
    allowed = spec.get("AllowedValues")
    if allowed is not None and value not in [str(item) for item in allowed]:
        return f"is not one of {', '.join(str(item) for item in allowed)}"
    pattern = spec.get("AllowedPattern")
    if pattern is not None and re.fullmatch(str(pattern), value) is None:
        return f"does not match {pattern}"
    if spec.get("Type") == "Number":
        try:
            number = float(value)
        except ValueError:
            return "is not a number"
        if "MinValue" in spec and number < float(spec["MinValue"]):
            return f"is below {spec['MinValue']}"
        if "MaxValue" in spec and number > float(spec["MaxValue"]):
            return f"is above {spec['MaxValue']}"
    if "MinLength" in spec and len(value) < int(spec["MinLength"]):
        return f"is shorter than {spec['MinLength']} characters"
    if "MaxLength" in spec and len(value) > int(spec["MaxLength"]):
        return f"is longer than {spec['MaxLength']} characters"
    return None
