"""Settings: the only reader of ``os.environ``. A validated model, read once per container."""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel, Field, ValidationError

from openconnector_core.errors import DeploymentError


class Settings(BaseModel):
    """Every setting a function or the local stack reads. Names are the environment variables."""

    entities_table: str = Field("openconnector-entities", alias="ENTITIES_TABLE")
    contracts_table: str = Field("openconnector-contracts", alias="CONTRACTS_TABLE")
    logs_table: str = Field("openconnector-logs", alias="LOGS_TABLE")
    objects_table: str = Field("openconnector-objects", alias="OBJECTS_TABLE")
    files_bucket: str = Field("openconnector-files", alias="FILES_BUCKET")
    secrets_prefix: str = Field("openconnector/", alias="SECRETS_PREFIX")
    sync_queue_url: str = Field("", alias="SYNC_QUEUE_URL")
    event_queue_url: str = Field("", alias="EVENT_QUEUE_URL")
    event_bus_name: str = Field("default", alias="EVENT_BUS_NAME")
    outbound_allow: str = Field("", alias="OPENCONNECTOR_OUTBOUND_ALLOW")
    # How often a warm gateway checks whether endpoints/rules/mappings/consumers changed (docs/adr/0210).
    gateway_cache_seconds: float = Field(2.0, alias="GATEWAY_CACHE_SECONDS", ge=0)
    aws_region: str = Field("eu-west-1", alias="AWS_REGION")

    model_config = {"populate_by_name": True, "extra": "ignore", "frozen": True}

    @property
    def outbound_allow_list(self) -> list[str]:
        return [item.strip() for item in self.outbound_allow.split(",") if item.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Read the environment once; a bad value fails the cold start with one clear message."""
    env = dict(os.environ)
    if "AWS_REGION" not in env and "AWS_DEFAULT_REGION" in env:
        env["AWS_REGION"] = env["AWS_DEFAULT_REGION"]
    try:
        return Settings.model_validate(env)
    except ValidationError as error:
        raise DeploymentError(f"Invalid settings: {error}") from error
