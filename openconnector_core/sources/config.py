"""Call configuration: the source's stored options + the caller's, turned into one request.

Steps of §4.2 that need no I/O: method override (2), dot-expansion and merge (7), pagination (9),
template rendering (10), URL (11), TLS material (12), secret stripping (13), ``logBody`` (14), and the
translation of the Guzzle-style options stored in the original's configurations into httpx terms.

Merge rule (fixes B9): the source configuration is the base, the caller configuration overrides
duplicate leaves (``headers.Accept`` from both → the caller's value, header names compared
case-insensitively); nested objects merge; lists are replaced, not concatenated.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from openconnector_core.errors import BadRequestError

DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 30.0
DEFAULT_TOTAL_TIMEOUT = 60.0
DEFAULT_MAX_REDIRECTS = 5
DEFAULT_MAX_RESPONSE_BYTES = 20 * 1024 * 1024

METHOD_OVERRIDE_KEYS = ("createMethod", "updateMethod", "destroyMethod", "listMethod", "readMethod")

# Guzzle options with no meaning here (documented in docs/sources.md).
_IGNORED_OPTIONS = frozenset(
    {
        "http_errors",
        "decode_content",
        "debug",
        "delay",
        "sink",
        "stream",
        "synchronous",
        "version",
        "on_stats",
        "on_headers",
        "progress",
        "idn_conversion",
        "force_ip_resolve",
        "expect",
        "cookies",
        "read",
    }
)
_HANDLED_OPTIONS = frozenset(
    {
        "headers",
        "query",
        "json",
        "body",
        "form_params",
        "multipart",
        "auth",
        "timeout",
        "connect_timeout",
        "read_timeout",
        "verify",
        "cert",
        "ssl_key",
        "allow_redirects",
        "proxy",
        "logBody",
        "preRequest",
        "postRequest",
        "pagination",
        "retry",
        "maxResponseBytes",
    }
)


class SourceConfigError(BadRequestError):
    """The source/caller configuration cannot be turned into a request (reported as a call log)."""

    code, title = "source-configuration-error", "Source configuration error"


# -- dot expansion and merge ----------------------------------------------------------------------
def _listify(value: Any) -> Any:
    if isinstance(value, dict):
        converted = {key: _listify(item) for key, item in value.items()}
        keys = list(converted)
        digits = bool(keys) and all(isinstance(k, str) and k.isdigit() for k in keys)
        if digits and sorted(int(k) for k in keys) == list(range(len(keys))):
            return [converted[str(i)] for i in range(len(keys))]
        return converted
    if isinstance(value, list):
        return [_listify(item) for item in value]
    return value


def _to_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        return {str(i): item for i, item in enumerate(value)}
    return {}


def dot_expand(configuration: Mapping[str, Any] | None) -> dict[str, Any]:
    """Turn top-level dot-keys into nesting (``headers.Accept: x`` → ``headers: {Accept: x}``);
    numeric segments become list elements; existing nested objects are merged."""
    result: dict[str, Any] = {}
    if not configuration:
        return result
    plain = {k: v for k, v in configuration.items() if "." not in str(k)}
    dotted = {k: v for k, v in configuration.items() if "." in str(k)}
    for key, value in plain.items():
        result[str(key)] = json.loads(json.dumps(value)) if isinstance(value, dict | list) else value
    for key, value in dotted.items():
        segments = str(key).split(".")
        node = result
        for segment in segments[:-1]:
            child = node.get(segment)
            if not isinstance(child, dict):
                child = _to_dict(child)
                node[segment] = child
            node = child
        node[segments[-1]] = value
    return {key: _listify(value) for key, value in result.items()}


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Deep merge where ``override`` wins on duplicate leaves (header names case-insensitive)."""
    result: dict[str, Any] = dict(base)
    for key, value in override.items():
        if key == "headers" and isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            lowered = {str(name).lower() for name in value}
            kept = {n: v for n, v in result[key].items() if str(n).lower() not in lowered}
            result[key] = {**kept, **value}
        elif isinstance(value, Mapping) and isinstance(result.get(key), Mapping):
            result[key] = merge(result[key], value)
        else:
            result[key] = value
    return result


def effective_method(method: str, caller: Mapping[str, Any], *, read: bool) -> str:
    """§4.2 step 2: method overrides from the *caller* configuration only."""
    method = (method or "GET").upper()
    key = {
        "POST": "createMethod",
        "PUT": "updateMethod",
        "PATCH": "updateMethod",
        "DELETE": "destroyMethod",
        "GET": "readMethod" if read else "listMethod",
    }.get(method)
    override = caller.get(key) if key else None
    return str(override).upper() if override else method


def render_strings(value: Any, render: Callable[[str], str]) -> Any:
    """Render every string holding both ``{{`` and ``}}`` (recursively); other values untouched."""
    if isinstance(value, str):
        return render(value) if "{{" in value and "}}" in value else value
    if isinstance(value, dict):
        return {key: render_strings(item, render) for key, item in value.items()}
    if isinstance(value, list):
        return [render_strings(item, render) for item in value]
    return value


# -- option translation ---------------------------------------------------------------------------
def _php_scalar(value: Any) -> str:
    if value is True:
        return "1"
    if value is False:
        return "0"
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def flatten_params(data: Any, prefix: str = "") -> list[tuple[str, str]]:
    """``http_build_query``-style flattening: ``{a: {b: 1}, c: [1, 2]}`` → ``a[b]=1&c[0]=1&c[1]=2``."""
    pairs: list[tuple[str, str]] = []
    if isinstance(data, Mapping):
        items: list[tuple[Any, Any]] = list(data.items())
    elif isinstance(data, list):
        items = list(enumerate(data))
    else:
        return [(prefix, _php_scalar(data))] if prefix else []
    for key, value in items:
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, Mapping | list):
            pairs.extend(flatten_params(value, name))
        elif value is not None:
            pairs.append((name, _php_scalar(value)))
    return pairs


def _seconds(value: Any, name: str) -> float | None:
    if value in (None, "", False):
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError) as error:
        raise SourceConfigError(f"configuration.{name} must be a number of seconds") from error
    return seconds if seconds > 0 else None


@dataclass
class TlsMaterial:
    """PEM contents for the CA bundle and the client certificate/key (never file paths)."""

    verify: bool | str = True
    cert: str | None = None
    cert_password: str | None = None
    key: str | None = None
    key_password: str | None = None

    @property
    def is_default(self) -> bool:
        return self.verify is True and not self.cert and not self.key


@dataclass
class RequestSpec:
    """One outbound HTTP request, in httpx terms, plus the engine-level options around it."""

    method: str
    url: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    params: list[tuple[str, str]] = field(default_factory=list)
    content: bytes | None = None
    json_body: Any = None
    has_json: bool = False
    form: list[tuple[str, str]] | None = None
    multipart: list[tuple[str, tuple[str | None, bytes, str | None]]] | None = None
    basic_auth: tuple[str, str, str] | None = None  # (username, password, "basic"|"digest")
    timeout: httpx.Timeout = field(
        default_factory=lambda: httpx.Timeout(DEFAULT_READ_TIMEOUT, connect=DEFAULT_CONNECT_TIMEOUT)
    )
    total_timeout: float = DEFAULT_TOTAL_TIMEOUT
    tls: TlsMaterial = field(default_factory=TlsMaterial)
    follow_redirects: bool = True
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    log_body: bool = False
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    retry: Any = None
    logged_options: dict[str, Any] = field(default_factory=dict)

    def build(self, client: httpx.Client) -> httpx.Request:
        """The ``httpx.Request`` (the body is encoded here; nothing is sent)."""
        kwargs: dict[str, Any] = {}
        if self.has_json:
            kwargs["json"] = self.json_body
        elif self.multipart is not None:
            kwargs["files"] = self.multipart
        elif self.form is not None:
            kwargs["content"] = urlencode(self.form).encode("ascii")
            if not any(name.lower() == "content-type" for name, _ in self.headers):
                self.headers.append(("Content-Type", "application/x-www-form-urlencoded"))
        elif self.content is not None:
            kwargs["content"] = self.content
        url = httpx.URL(self.url)
        if self.params:
            url = url.copy_merge_params(httpx.QueryParams(list(self.params)))
        return client.build_request(self.method, url, headers=self.headers, timeout=self.timeout, **kwargs)


def _pem(value: Any, name: str) -> tuple[str, str | None]:
    """A PEM option: ``"contents"`` or ``[contents, password]``; literal ``\\n`` become newlines."""
    password: str | None = None
    if isinstance(value, list | tuple):
        if not value:
            raise SourceConfigError(f"configuration.{name} is empty")
        password = str(value[1]) if len(value) > 1 and value[1] is not None else None
        value = value[0]
    if not isinstance(value, str) or not value.strip():
        raise SourceConfigError(f"configuration.{name} must hold PEM contents")
    return value.replace("\\n", "\n"), password


def _translate_tls(options: Mapping[str, Any]) -> TlsMaterial:
    tls = TlsMaterial()
    verify = options.get("verify", True)
    if isinstance(verify, str) and verify.strip().lower() not in {"", "true", "1", "false", "0"}:
        tls.verify = _pem(verify, "verify")[0]
    elif isinstance(verify, str):
        tls.verify = verify.strip().lower() not in {"false", "0"}
    else:
        tls.verify = bool(verify) if verify is not None else True
    if options.get("cert"):
        tls.cert, tls.cert_password = _pem(options["cert"], "cert")
    if options.get("ssl_key"):
        tls.key, tls.key_password = _pem(options["ssl_key"], "ssl_key")
    return tls


def _translate_auth(value: Any) -> tuple[str, str, str] | None:
    if value in (None, "", [], False):
        return None
    if not isinstance(value, list | tuple) or len(value) < 2:
        raise SourceConfigError(
            "configuration.auth must be [username, password] or [username, password, 'digest']"
        )
    kind = str(value[2]).lower() if len(value) > 2 and value[2] else "basic"
    if kind not in {"basic", "digest"}:
        raise SourceConfigError(f"configuration.auth type {kind!r} is not supported (basic, digest)")
    return str(value[0]), str(value[1] if value[1] is not None else ""), kind


def _headers(value: Any) -> list[tuple[str, str]]:
    if not value:
        return []
    if not isinstance(value, Mapping):
        raise SourceConfigError("configuration.headers must be an object of header names")
    headers: list[tuple[str, str]] = []
    for name, item in value.items():
        if item is None:
            continue
        values = item if isinstance(item, list) else [item]
        if str(name).lower() == "accept" and isinstance(item, list) and item:
            values = [item[0]]  # upstream reduced a duplicated accept header to its first value
        headers.extend((str(name), _php_scalar(one)) for one in values)
    return headers


def _multipart(value: Any) -> list[tuple[str, tuple[str | None, bytes, str | None]]]:
    if not isinstance(value, list):
        raise SourceConfigError("configuration.multipart must be a list of {name, contents[, filename]}")
    parts: list[tuple[str, tuple[str | None, bytes, str | None]]] = []
    for part in value:
        if not isinstance(part, Mapping) or "name" not in part:
            raise SourceConfigError("every configuration.multipart part needs a name and contents")
        contents = part.get("contents", "")
        if isinstance(contents, Mapping | list):
            contents = json.dumps(contents)
        data = contents if isinstance(contents, bytes) else _php_scalar(contents).encode()
        headers = part.get("headers") if isinstance(part.get("headers"), Mapping) else {}
        content_type = next(
            (str(v) for k, v in (headers or {}).items() if str(k).lower() == "content-type"), None
        )
        parts.append((str(part["name"]), (part.get("filename"), data, content_type)))
    return parts


def translate(options: Mapping[str, Any], *, method: str, url: str) -> RequestSpec:
    """Turn merged, rendered Guzzle-style options into a :class:`RequestSpec`.

    Raises :class:`SourceConfigError` for options that cannot be honoured (e.g. ``proxy``, see
    docs/sources.md: a per-source proxy would bypass the SSRF guard)."""
    if options.get("proxy") not in (None, "", [], {}, False):
        raise SourceConfigError(
            "configuration.proxy is not supported: outbound calls go directly through the SSRF guard"
        )
    spec = RequestSpec(method=method, url=url)
    spec.headers = _headers(options.get("headers"))
    query = options.get("query")
    if query:
        if isinstance(query, str):
            spec.params = [(str(k), str(v)) for k, v in httpx.QueryParams(query).multi_items()]
        else:
            spec.params = flatten_params(query)
    if "json" in options and options["json"] is not None:
        spec.has_json, spec.json_body = True, options["json"]
    elif options.get("multipart"):
        spec.multipart = _multipart(options["multipart"])
    elif options.get("form_params") is not None and options.get("form_params") != []:
        spec.form = flatten_params(options["form_params"])
    elif options.get("body") is not None:
        body = options["body"]
        if isinstance(body, Mapping | list):
            body = json.dumps(body)
        spec.content = body if isinstance(body, bytes) else _php_scalar(body).encode()
    spec.basic_auth = _translate_auth(options.get("auth"))

    total = _seconds(options.get("timeout"), "timeout") or DEFAULT_TOTAL_TIMEOUT
    connect = _seconds(options.get("connect_timeout"), "connect_timeout") or min(
        DEFAULT_CONNECT_TIMEOUT, total
    )
    read = _seconds(options.get("read_timeout"), "read_timeout") or min(DEFAULT_READ_TIMEOUT, total)
    spec.timeout = httpx.Timeout(read, connect=min(connect, total), write=read, pool=connect)
    spec.total_timeout = total
    spec.tls = _translate_tls(options)

    redirects = options.get("allow_redirects", True)
    if isinstance(redirects, Mapping):
        spec.follow_redirects = True
        spec.max_redirects = int(redirects.get("max", DEFAULT_MAX_REDIRECTS) or 0)
    else:
        spec.follow_redirects = bool(redirects) and redirects not in ("false", "0")
    spec.log_body = options.get("logBody") in (True, 1, "1", "true")
    if options.get("maxResponseBytes"):
        spec.max_response_bytes = int(options["maxResponseBytes"])
    spec.retry = options.get("retry")
    spec.logged_options = {
        key: value
        for key, value in options.items()
        if key in {"timeout", "connect_timeout", "read_timeout", "allow_redirects"}
        or (key == "verify" and isinstance(value, bool))
    }
    return spec


def prepare_options(
    source_configuration: Mapping[str, Any] | None, caller: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Merged options (§4.2 step 7): dot-expanded source configuration, caller overriding."""
    caller_expanded = dot_expand(caller or {})
    for key in METHOD_OVERRIDE_KEYS:
        caller_expanded.pop(key, None)
    return merge(dot_expand(source_configuration or {}), caller_expanded)


def apply_pagination(options: dict[str, Any]) -> None:
    """§4.2 step 9: ``pagination = {paginationQuery, page}`` → ``query[paginationQuery] = page``."""
    pagination = options.pop("pagination", None)
    if isinstance(pagination, Mapping) and pagination.get("paginationQuery"):
        query = options.get("query")
        query = dict(query) if isinstance(query, Mapping) else {}
        query[str(pagination["paginationQuery"])] = pagination.get("page", 1)
        options["query"] = query


def strip_authentication(options: dict[str, Any]) -> dict[str, Any]:
    """§4.2 step 13: top-level keys whose name contains ``authentication`` are never sent."""
    return {key: value for key, value in options.items() if "authentication" not in str(key).lower()}


def unknown_options(options: Mapping[str, Any]) -> list[str]:
    """Options that are neither translated nor knowingly ignored (reported at DEBUG level)."""
    return sorted(str(k) for k in options if k not in _HANDLED_OPTIONS and k not in _IGNORED_OPTIONS)
