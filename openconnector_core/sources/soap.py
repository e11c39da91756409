"""SOAP sources (§4.9) — the only module that imports zeep (lazily, through the engine).

* The WSDL (``configuration.wsdl``) and every schema it imports are fetched through OUR httpx client
  and SSRF guard (a zeep ``Transport`` adapted to httpx; ``file://`` and other schemes are refused).
* One zeep client per source id + version + WSDL + SOAP version, cached per container.
* ``endpoint`` is the operation name; arguments come from the caller's ``json`` (object) or the
  JSON-decoded ``body``; the service address is ``source.location``.
* The result is serialized with ``zeep.helpers.serialize_object`` into JSON (HTTP 200); a SOAP
  fault becomes a 500 result whose body holds the fault message and code.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from openconnector_core import deadline
from openconnector_core.errors import OutboundRefusedError, SourceError
from openconnector_core.sources.client import DeadlineExceededError, HttpClients, bounded_timeout, read_capped
from openconnector_core.sources.ssrf import OutboundGuard

MAX_WSDL_BYTES = 5 * 1024 * 1024
MAX_SOAP_RESPONSE_BYTES = 20 * 1024 * 1024
_SOAP11_NAMES = {"1.1", "1_1", "soap1.1", "soap1_1", "soap_1_1", "soap_1.1", "1"}


class SoapError(SourceError):
    code, title = "soap-error", "SOAP call failed"


@dataclass
class SoapOutcome:
    status_code: int
    reason: str
    body: str
    data: Any


def soap_version(value: Any) -> str:
    """``"1.1"`` or ``"1.2"`` from the original's ``soapVersion`` spellings (default 1.1 when unset)."""
    if value is None or value == "":
        return "1.1"
    if isinstance(value, bool):
        raise SoapError("configuration.soapVersion must be 1.1 or 1.2")
    if isinstance(value, int):
        if value not in (1, 2):
            raise SoapError("configuration.soapVersion must be 1 (SOAP 1.1) or 2 (SOAP 1.2)")
        return "1.1" if value == 1 else "1.2"
    return "1.1" if str(value).strip().lower() in _SOAP11_NAMES else "1.2"


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return str(value)


def _arguments(options: Mapping[str, Any]) -> dict[str, Any]:
    arguments: Any = options.get("json")
    if arguments is None and options.get("body") not in (None, ""):
        body = options["body"]
        try:
            arguments = json.loads(body) if isinstance(body, str | bytes) else body
        except ValueError as error:
            raise SoapError("The SOAP request body must be a JSON object") from error
    if arguments is None:
        return {}
    if not isinstance(arguments, Mapping):
        raise SoapError("The SOAP request arguments must be a JSON object")
    result: dict[str, Any] = dict(arguments)
    document = result.get("edcLk01")
    content = document.get("object") if isinstance(document, Mapping) else None
    if isinstance(content, dict):  # the original base64-decodes this one document field
        inner = content.get("inhoud")
        if isinstance(inner, Mapping) and isinstance(inner.get("_"), str):
            content["inhoud"] = {**inner, "_": base64.b64decode(inner["_"])}
        elif isinstance(inner, str):
            content["inhoud"] = base64.b64decode(inner)
    return result


def _make_transport_class() -> type:
    from requests import Response
    from zeep.transports import Transport

    class HttpxTransport(Transport):
        """zeep transport over the engine's guarded httpx client."""

        def __init__(self, clients: HttpClients, guard: OutboundGuard) -> None:
            super().__init__(cache=None)  # type: ignore[no-untyped-call]
            self._clients = clients
            self._guard = guard
            self.headers: dict[str, str] = {}
            self.timeout: httpx.Timeout | float = 30.0
            self._documents: dict[str, bytes] = {}

        def load(self, url: str) -> bytes:
            if not url:
                raise ValueError("No url given to load")
            self._guard.check_url(url)
            if url not in self._documents:
                self._documents[url] = self._fetch("GET", url, None, {}, MAX_WSDL_BYTES).content
            return self._documents[url]

        def _fetch(
            self, method: str, url: str, content: bytes | None, headers: Mapping[str, str], limit: int
        ) -> Response:
            self._guard.check_url(url)
            left = deadline.remaining()  # a run's budget bounds a SOAP exchange like any call
            if left == 0.0:
                raise DeadlineExceededError("No time left for this call: the run has spent its time budget")
            timeout = httpx.Timeout(self.timeout)
            client = self._clients.default()
            request = client.build_request(
                method,
                url,
                content=content,
                headers=headers,
                timeout=timeout if left is None else bounded_timeout(timeout, left),
            )
            response = client.send(request, stream=True, follow_redirects=False)
            try:
                ends = float("inf") if left is None else time.monotonic() + left
                body = read_capped(response, limit, deadline=ends)
            finally:
                response.close()
            if method == "GET" and response.status_code >= 400:
                raise SoapError(f"Fetching {url} answered {response.status_code}")
            converted = Response()
            converted._content = body
            converted.status_code = response.status_code
            converted.headers.update(response.headers)
            converted.encoding = response.charset_encoding
            converted.url = url
            return converted

        def post(self, address: str, message: bytes | str, headers: Mapping[str, str]) -> Response:
            content = message.encode() if isinstance(message, str) else message
            return self._fetch("POST", address, content, {**headers, **self.headers}, MAX_SOAP_RESPONSE_BYTES)

        def get(self, address: str, params: Any, headers: Mapping[str, str]) -> Response:
            url = str(httpx.URL(address).copy_merge_params(params or {}))
            return self._fetch("GET", url, None, {**headers, **self.headers}, MAX_SOAP_RESPONSE_BYTES)

    return HttpxTransport


class SoapCaller:
    """Cached zeep clients and the call of one operation."""

    def __init__(self, clients: HttpClients, guard: OutboundGuard) -> None:
        self._clients = clients
        self._guard = guard
        self._cache: dict[tuple[str, ...], tuple[Any, Any]] = {}
        self._lock = threading.Lock()
        self._transport_class: type | None = None

    def _client(self, source: Mapping[str, Any], wsdl: str, version: str) -> tuple[Any, Any]:
        key = (str(source.get("id") or source.get("uuid") or ""), str(source.get("version")), wsdl, version)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        import zeep

        if self._transport_class is None:
            self._transport_class = _make_transport_class()
        transport = self._transport_class(self._clients, self._guard)
        settings = zeep.Settings(strict=False, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        client = zeep.Client(wsdl, transport=transport, settings=settings)  # type: ignore[no-untyped-call]
        with self._lock:
            self._cache[key] = (client, transport)
        return client, transport

    def call(self, source: Mapping[str, Any], operation: str, options: Mapping[str, Any]) -> SoapOutcome:
        from zeep.exceptions import Error as ZeepError
        from zeep.exceptions import Fault
        from zeep.helpers import serialize_object

        configuration = source.get("configuration") or {}
        wsdl = options.get("wsdl") or configuration.get("wsdl")
        if not wsdl:
            raise SoapError("No wsdl provided")
        version = soap_version(options.get("soapVersion", configuration.get("soapVersion")))
        if not operation:
            raise SoapError("No SOAP operation given (the endpoint is the operation name)")
        arguments = _arguments(options)
        try:
            client, transport = self._client(source, str(wsdl), version)
            service = self._service(client, str(source.get("location")), version)
        except (OutboundRefusedError, SourceError, httpx.TransportError):
            raise
        except ZeepError:
            raise SoapError("The WSDL could not be read as a WSDL document") from None
        headers = options.get("headers") if isinstance(options.get("headers"), Mapping) else {}
        with self._lock:
            transport.headers = {str(k): str(v) for k, v in (headers or {}).items()}
            try:
                method = getattr(service, operation)
            except AttributeError:
                raise SoapError(f"The WSDL has no operation {operation!r}") from None
            try:
                result = method(**arguments)
            except Fault as fault:
                body = json.dumps({"fault": fault.message, "code": fault.code}, default=_json_default)
                return SoapOutcome(500, "SOAP Fault", body, json.loads(body))
            except TypeError:
                raise SoapError(
                    f"The arguments do not match the parameters of SOAP operation {operation!r} in the WSDL"
                ) from None
            except ZeepError:
                raise SoapError(f"The answer to SOAP operation {operation!r} could not be read") from None
            finally:
                transport.headers = {}
        serialized = serialize_object(result, dict)  # type: ignore[no-untyped-call]
        data = json.loads(json.dumps(serialized, default=_json_default))
        return SoapOutcome(200, "OK", json.dumps(data), data)

    @staticmethod
    def _service(client: Any, location: str, version: str) -> Any:
        from zeep.wsdl.bindings.soap import Soap11Binding, Soap12Binding

        wanted = Soap11Binding if version == "1.1" else Soap12Binding
        fallback = None
        for service in client.wsdl.services.values():
            for port in service.ports.values():
                if isinstance(port.binding, wanted):
                    return client.create_service(port.binding.name.text, location)
                fallback = fallback or port.binding
        if fallback is None:
            raise SoapError("The WSDL defines no SOAP binding")
        return client.create_service(fallback.name.text, location)
