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

# What the call engine accepts in Source.auth (``sources/auth/registry.py``: its scheme names and
# their aliases; a test keeps the two equal). A scheme name is not a credential, so it is not masked.
SOURCE_AUTH_SCHEMES = (
    "none",
    "basic",
    "api-key",
    "bearer",
    "oauth2",
    "jwt",
    "azure-ad",
    "decos",
    "apikey",
    "api_key",
    "oauth",
    "ms-client-assertion",
    "microsoft",
    "jwt-bearer",
)

CONTRACT_ACTIONS = ("create", "update", "delete")
JOB_LOG_LEVELS = ("DEBUG", "INFO", "SUCCESS", "WARNING", "ERROR", "CRITICAL")
SUBSCRIPTION_STYLES = ("push", "pull")
