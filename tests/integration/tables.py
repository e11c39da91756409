"""DynamoDB test tables derived from ``template.yaml`` (falls back to the documented design when the
template is absent), so tests and deployment cannot drift apart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
_TABLE_KEYS = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "LocalSecondaryIndexes")

_KEYS = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
_ATTRIBUTES = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}]
FALLBACK: dict[str, dict[str, Any]] = {
    "EntitiesTable": {"AttributeDefinitions": _ATTRIBUTES, "KeySchema": _KEYS},
    "ContractsTable": {"AttributeDefinitions": _ATTRIBUTES, "KeySchema": _KEYS},
    "ObjectsTable": {"AttributeDefinitions": _ATTRIBUTES, "KeySchema": _KEYS},
    "LogsTable": {
        "AttributeDefinitions": [
            *_ATTRIBUTES,
            {"AttributeName": "gsi1pk", "AttributeType": "S"},
            {"AttributeName": "gsi1sk", "AttributeType": "S"},
        ],
        "KeySchema": _KEYS,
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "bySubject",
                "KeySchema": [
                    {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                    {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        "TimeToLiveSpecification": {"AttributeName": "expiresAt", "Enabled": True},
    },
}


class _CfnLoader(yaml.SafeLoader):
    """Reads CloudFormation short tags (``!Ref``, ``!If`` …) as plain values; table keys never use them."""


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_CfnLoader.add_multi_constructor("!", _any_tag)


def table_definitions(template: Path = TEMPLATE) -> dict[str, dict[str, Any]]:
    """Logical id → table properties of every ``AWS::DynamoDB::Table`` in the template."""
    if not template.exists():
        return FALLBACK
    document = yaml.load(template.read_text(), Loader=_CfnLoader)
    return {
        name: resource.get("Properties", {})
        for name, resource in document.get("Resources", {}).items()
        if resource.get("Type") == "AWS::DynamoDB::Table"
    }


def create_tables(client: Any, prefix: str = "test-") -> dict[str, str]:
    """Create every template table (on-demand) and enable its TTL; returns logical id → table name."""
    names: dict[str, str] = {}
    for logical_id, properties in table_definitions().items():
        name = f"{prefix}{logical_id}"
        arguments = {key: properties[key] for key in _TABLE_KEYS if key in properties}
        client.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **arguments)
        ttl = properties.get("TimeToLiveSpecification")
        if ttl:
            client.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
            )
        names[logical_id] = name
    return names
