"""Local HTTP peers for the call engine tests: threaded, keep-alive, random free ports on 127.0.0.1.

One :class:`PeerServer` serves every scenario (JSON, XML, OAuth token endpoint, JWT-checking API,
SOAP service, 429/503 sequences, redirects) and counts accepted TCP connections, so a test can prove
that a refused call never connected.
"""

from __future__ import annotations

import base64
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt

SOAP_NS = "http://example.org/calculator"

WSDL = f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
  xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:tns="{SOAP_NS}" targetNamespace="{SOAP_NS}">
  <types>
    <xsd:schema targetNamespace="{SOAP_NS}" elementFormDefault="qualified">
      <xsd:element name="Add">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="a" type="xsd:int"/><xsd:element name="b" type="xsd:int"/>
        </xsd:sequence></xsd:complexType>
      </xsd:element>
      <xsd:element name="AddResponse">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="result" type="xsd:int"/><xsd:element name="note" type="xsd:string"/>
        </xsd:sequence></xsd:complexType>
      </xsd:element>
    </xsd:schema>
  </types>
  <message name="AddInput"><part name="parameters" element="tns:Add"/></message>
  <message name="AddOutput"><part name="parameters" element="tns:AddResponse"/></message>
  <portType name="CalculatorPort">
    <operation name="Add"><input message="tns:AddInput"/><output message="tns:AddOutput"/></operation>
  </portType>
  <binding name="CalculatorBinding" type="tns:CalculatorPort">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="Add">
      <soap:operation soapAction="{SOAP_NS}/Add"/>
      <input><soap:body use="literal"/></input><output><soap:body use="literal"/></output>
    </operation>
  </binding>
  <service name="Calculator">
    <port name="CalculatorPort" binding="tns:CalculatorBinding"><soap:address location="http://placeholder/soap"/></port>
  </service>
</definitions>
"""

XML_BODY = (
    '<model identifier="id-1"><name xml:lang="nl">GEMMA</name><plain>text</plain><empty/>'
    '<elements><element identifier="e1"><name>One</name></element>'
    '<element identifier="e2"><name>Two</name></element></elements></model>'
)


@dataclass
class PeerState:
    """What the peer remembers; tests configure and inspect it."""

    connections: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    # OAuth
    client_id: str = "client-abc"
    client_secret: str = "s3cr3t-client-value-1234"
    username: str = "alice"
    password: str = "pa55word-of-alice-9876"
    token_lifetime: int = 3600
    tokens: set[str] = field(default_factory=set)
    issued: list[str] = field(default_factory=list)
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    # JWT API
    jwt_key: Any = None
    jwt_algorithms: list[str] = field(default_factory=list)
    jwt_claims: list[dict[str, Any]] = field(default_factory=list)
    # redirects
    redirect_to: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bump(self, name: str) -> int:
        with self.lock:
            self.counters[name] = self.counters.get(name, 0) + 1
            return self.counters[name]


_token_numbers = itertools.count(1)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        return

    # -- plumbing -------------------------------------------------------------------------------
    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(
        self, status: int, body: bytes | str, content_type: str = "application/json", **headers: str
    ) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(data)

    def _json(self, status: int, payload: Any, **headers: str) -> None:
        self._send(status, json.dumps(payload), **headers)

    def _bearer(self) -> str | None:
        value = self.headers.get("Authorization") or ""
        return value[7:] if value.startswith("Bearer ") else None

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        state = self.server.state
        parts = urlsplit(self.path)
        body = self._body()
        record = {
            "method": method,
            "path": parts.path,
            "query": {k: v[0] for k, v in parse_qs(parts.query).items()},
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body.decode("utf-8", errors="replace"),
        }
        with state.lock:
            state.requests.append(record)
        route = getattr(self, "route_" + parts.path.strip("/").replace("/", "_").replace("-", "_"), None)
        if route is None:
            self._json(404, {"error": "not found", "path": parts.path})
            return
        route(method, record)

    # -- JSON / XML -----------------------------------------------------------------------------
    def route_items(self, method: str, record: dict[str, Any]) -> None:
        self._json(
            200, {"results": [{"id": 1, "name": "one"}, {"id": 2, "name": "two"}], "query": record["query"]}
        )

    def route_echo(self, method: str, record: dict[str, Any]) -> None:
        self._json(200, record)

    def route_xml(self, method: str, record: dict[str, Any]) -> None:
        self._send(200, XML_BODY, "application/xml")

    def route_big(self, method: str, record: dict[str, Any]) -> None:
        self._send(200, b"x" * 200_000, "text/plain")

    def route_error(self, method: str, record: dict[str, Any]) -> None:
        self._json(500, {"error": "boom"})

    def route_rate_headers(self, method: str, record: dict[str, Any]) -> None:
        self._json(
            200,
            {"ok": True},
            **{"x-ratelimit-limit": "10", "X-RATELIMIT-REMAINING": "0", "X-RateLimit-Reset": "30"},
        )

    # -- redirects ------------------------------------------------------------------------------
    def route_redirect(self, method: str, record: dict[str, Any]) -> None:
        self._send(302, b"", "text/plain", Location=self.server.state.redirect_to or "/items")

    # -- cookies and slowness -------------------------------------------------------------------
    def route_set_cookie(self, method: str, record: dict[str, Any]) -> None:
        value = record["query"].get("value", "session-value")
        self._send(200, b"{}", **{"Set-Cookie": f"session={value}; Path=/"})

    def route_slow(self, method: str, record: dict[str, Any]) -> None:
        time.sleep(float(record["query"].get("seconds", "1")))
        self._json(200, {"ok": True})

    # -- retries --------------------------------------------------------------------------------
    def route_limited(self, method: str, record: dict[str, Any]) -> None:
        if self.server.state.bump("limited") == 1:
            self._json(429, {"error": "slow down"}, **{"Retry-After": "1"})
        else:
            self._json(200, {"ok": True})

    def route_flaky(self, method: str, record: dict[str, Any]) -> None:
        if self.server.state.bump("flaky") <= 2:
            self._json(503, {"error": "unavailable"})
        else:
            self._json(200, {"ok": True})

    # -- OAuth ----------------------------------------------------------------------------------
    def route_token(self, method: str, record: dict[str, Any]) -> None:
        state = self.server.state
        form = {k: v[0] for k, v in parse_qs(record["body"]).items()}
        basic = self.headers.get("Authorization") or ""
        if basic.startswith("Basic "):
            user, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
        else:
            user, secret = "", ""
        with state.lock:
            state.token_requests.append({"form": form, "basic": bool(basic)})
        grant = form.get("grant_type")
        if grant == "client_credentials":
            client_id = form.get("client_id", user)
            client_secret = form.get("client_secret", secret)
            assertion = form.get("client_assertion")
            if assertion and state.jwt_key is not None:
                try:
                    jwt.decode(
                        assertion,
                        state.jwt_key,
                        algorithms=state.jwt_algorithms,
                        audience=None,
                        options={"verify_aud": False},
                    )
                except jwt.PyJWTError as error:
                    self._json(401, {"error": "invalid_client", "detail": str(error)})
                    return
                ok = True
            else:
                ok = (client_id, client_secret) == (state.client_id, state.client_secret)
        elif grant == "password":
            name = form.get("username", user)
            password = form.get("password", secret)
            ok = (name, password) == (state.username, state.password)
        else:
            self._json(400, {"error": "unsupported_grant_type"})
            return
        if not ok:
            self._json(401, {"error": "invalid_client"})
            return
        token = f"access-token-{next(_token_numbers):04d}-{'z' * 8}"
        with state.lock:
            state.tokens.add(token)
            state.issued.append(token)
        self._json(200, {"access_token": token, "token_type": "Bearer", "expires_in": state.token_lifetime})

    def route_protected(self, method: str, record: dict[str, Any]) -> None:
        token = self._bearer() or record["query"].get("access_token")
        if token in self.server.state.tokens:
            self._json(200, {"ok": True, "token_number": token.split("-")[2]})
        else:
            self._json(401, {"error": "invalid_token"})

    # -- JWT ------------------------------------------------------------------------------------
    def route_jwt(self, method: str, record: dict[str, Any]) -> None:
        state = self.server.state
        token = self._bearer()
        try:
            claims = jwt.decode(
                token or "",
                state.jwt_key,
                algorithms=state.jwt_algorithms,
                options={"verify_aud": False, "require": ["iat", "exp"]},
            )
        except jwt.PyJWTError as error:
            self._json(401, {"error": "invalid_token", "detail": type(error).__name__})
            return
        with state.lock:
            state.jwt_claims.append(claims)
        self._json(200, {"ok": True, "sub": claims.get("sub")})

    # -- SOAP -----------------------------------------------------------------------------------
    def route_wsdl(self, method: str, record: dict[str, Any]) -> None:
        self._send(200, WSDL, "text/xml")

    def route_soap(self, method: str, record: dict[str, Any]) -> None:
        from xml.etree import ElementTree

        root = ElementTree.fromstring(record["body"])
        add = root.find(f".//{{{SOAP_NS}}}Add")
        if add is None:
            self._send(500, _fault("Unknown operation"), "text/xml; charset=utf-8")
            return
        a = int(add.findtext(f"{{{SOAP_NS}}}a") or 0)
        b = int(add.findtext(f"{{{SOAP_NS}}}b") or 0)
        if a < 0:
            self._send(500, _fault("Negative numbers are not allowed"), "text/xml; charset=utf-8")
            return
        envelope = (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
            f'<soap:Body><AddResponse xmlns="{SOAP_NS}">'
            f"<result>{a + b}</result><note>sum</note></AddResponse>"
            "</soap:Body></soap:Envelope>"
        )
        self._send(200, envelope, "text/xml; charset=utf-8")


def _fault(message: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault>'
        f"<faultcode>soap:Client</faultcode><faultstring>{message}</faultstring>"
        "</soap:Fault></soap:Body></soap:Envelope>"
    )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, state: PeerState) -> None:
        self.state = state
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        return  # clients that abort a read (size-cap tests) are expected; no traceback noise

    def get_request(self) -> Any:
        connection = super().get_request()
        with self.state.lock:
            self.state.connections += 1
        return connection


class PeerServer:
    """Start/stop one peer in a background thread; ``url`` is ``http://127.0.0.1:<port>``."""

    def __init__(self) -> None:
        self.state = PeerState()
        self._server = _Server(self.state)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> PeerServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
