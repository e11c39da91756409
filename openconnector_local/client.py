"""The CLI's client of the management API: one httpx client, errors turned into exit codes."""

from __future__ import annotations

from typing import Any

import httpx

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 3
EXIT_UNAUTHORIZED = 4
EXIT_NOT_FOUND = 5


class CliError(Exception):
    def __init__(self, message: str, exit_code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class ManagementClient:
    def __init__(
        self, url: str, token: str | None, timeout: float = 60.0, transport: httpx.BaseTransport | None = None
    ) -> None:
        headers = {"Accept": "application/json", "User-Agent": "openconnector-cli"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.url = url.rstrip("/")
        self._http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout, transport=transport)

    def __enter__(self) -> ManagementClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._http.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        missing: str | None = None,
    ) -> httpx.Response:
        """Send one request; a non-2xx answer raises ``CliError``. ``missing`` explains a 404."""
        try:
            response = self._http.request(method, path, json=json, params=params)
        except httpx.ConnectError as error:
            raise CliError(
                f"Cannot reach {self.url} ({error}). "
                "Is the stack running (`openconnector serve` / `make run`)? "
                "Set --url or OPENCONNECTOR_URL for another server.",
                EXIT_UNREACHABLE,
            ) from error
        except httpx.TimeoutException as error:
            raise CliError(
                f"{method} {path}: no answer from {self.url} in time ({error})", EXIT_UNREACHABLE
            ) from error
        except httpx.HTTPError as error:
            raise CliError(f"{method} {path}: {error}", EXIT_UNREACHABLE) from error
        if response.is_success:
            return response
        detail = _detail(response)
        if response.status_code in (401, 403):
            raise CliError(
                f"{method} {path}: {response.status_code} {detail}. "
                "Pass --token or set OPENCONNECTOR_ADMIN_TOKEN "
                "(the local stack prints its token at start and keeps it in <state dir>/admin-token).",
                EXIT_UNAUTHORIZED,
            )
        if response.status_code == 404:
            hint = f" {missing}" if missing else ""
            raise CliError(f"{method} {path}: 404 {detail}.{hint}", EXIT_NOT_FOUND)
        raise CliError(f"{method} {path}: {response.status_code} {detail}", EXIT_ERROR)

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as error:
            raise CliError(f"{method} {path}: the answer is not JSON: {response.text[:200]}") from error


def _detail(response: httpx.Response) -> str:
    try:
        document = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    if isinstance(document, dict):
        parts = [str(document[key]) for key in ("error", "message", "title", "detail") if document.get(key)]
        if parts:
            return ": ".join(dict.fromkeys(parts))
    return str(document)[:300]
