"""The closed sets of names entity fields may take. Unknown values fail with the list of valid ones."""

from __future__ import annotations

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")

# Endpoint rule types ∪ synchronization action types ∪ the names the upstream UI writes.
RULE_TYPES = (
    "authentication",
    "mapping",
    "synchronization",
    "error",
    "javascript",
    "save_object",
    "fetch_file",
    "write_file",
    "fileparts_create",
    "filepart_upload",
    "download",
    "upload",
    "lock",
    "unlock",
    "locking",
    "override",
    "audit_trail",
    "extend_input",
    "extend_external_input",
    "custom",
)
RULE_TIMINGS = ("before", "after")

# Endpoint targets and synchronization sources/targets.
TARGET_TYPES = ("register/schema", "api", "database")

# Source.type: 'soap' switches to SOAP, everything else is HTTP.
SOURCE_TYPES = ("api", "json", "xml", "yaml", "soap", "rest", "ftp", "sftp")

# Names of authentication schemes: Source.auth (upstream schema) and Consumer.authorizationType.
AUTH_TYPES = (
    "none",
    "apikey",
    "api-key",
    "basic",
    "username-password",
    "bearer",
    "jwt",
    "jwt-HS256",
    "jwt-zgw",
    "vrijbrp-jwt",
    "pink-jwt",
    "oauth",
    "oauth2",
)

CONTRACT_ACTIONS = ("create", "update", "delete")
JOB_LOG_LEVELS = ("DEBUG", "INFO", "SUCCESS", "WARNING", "ERROR", "CRITICAL")
SUBSCRIPTION_STYLES = ("push", "pull")
