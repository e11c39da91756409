"""Secrets Manager adapter: one secret per entity, a JSON object, named ``prefix + name``."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from openconnector_core.errors import DeploymentError, OpenConnectorError, RateLimitedError
from openconnector_core.store.aws_errors import error_code


def _translate(error: ClientError, name: str) -> OpenConnectorError:
    code = error_code(error)
    if code in {"ThrottlingException", "LimitExceededException"}:
        return RateLimitedError("The secret store is throttling requests", retryAfter=1)
    if code in {"AccessDeniedException", "UnrecognizedClientException"}:
        return DeploymentError(f"No access to secret {name}: {code}")
    return OpenConnectorError(f"Secret store error {code} on {name}")


class SecretsManagerStore:
    def __init__(self, client: Any, prefix: str = "") -> None:
        self._client = client
        self._prefix = prefix

    def _id(self, name: str) -> str:
        return f"{self._prefix}{name}"

    def put(self, name: str, values: dict[str, Any]) -> None:
        """Create the secret (a secret version's name is new: one call), or overwrite it."""
        secret_id, payload = self._id(name), json.dumps(values)
        try:
            self._client.create_secret(Name=secret_id, SecretString=payload)
            return
        except ClientError as error:
            if error_code(error) != "ResourceExistsException":
                raise _translate(error, secret_id) from error
        try:
            self._client.put_secret_value(SecretId=secret_id, SecretString=payload)
        except ClientError as error:
            raise _translate(error, secret_id) from error

    def get(self, name: str) -> dict[str, Any]:
        secret_id = self._id(name)
        try:
            response = self._client.get_secret_value(SecretId=secret_id)
        except ClientError as error:
            if error_code(error) == "ResourceNotFoundException":
                return {}
            raise _translate(error, secret_id) from error
        values: dict[str, Any] = json.loads(response.get("SecretString") or "{}")
        return values

    def delete(self, name: str) -> None:
        secret_id = self._id(name)
        try:
            self._client.delete_secret(SecretId=secret_id, ForceDeleteWithoutRecovery=True)
        except ClientError as error:
            if error_code(error) != "ResourceNotFoundException":
                raise _translate(error, secret_id) from error
