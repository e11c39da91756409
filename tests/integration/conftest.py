"""Integration tests: the AWS adapters against moto (in-process, no network, no account)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.support.aws import SerialClient

try:
    from tests.integration.tables import create_tables
except ImportError:  # tests/integration is not a package: pytest put this directory on sys.path
    from tables import create_tables  # type: ignore[no-redef]

REGION = "eu-west-1"


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials, so nothing can reach a real account, and the setting current botocore needs."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def aws(aws_env: None) -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture
def dynamodb(aws: None) -> Any:
    """Each request atomic, as on DynamoDB (tests race real threads against it)."""
    return SerialClient(boto3.client("dynamodb", region_name=REGION))


@pytest.fixture
def tables(dynamodb: Any) -> dict[str, str]:
    return create_tables(dynamodb)


@pytest.fixture
def secretsmanager(aws: None) -> Any:
    return boto3.client("secretsmanager", region_name=REGION)
