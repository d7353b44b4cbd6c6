"""The in-process sandbox behind a login that also answers as `docs/api.md` ("Login")
documents for MFA, expired passwords and throttling, for the sign-in tests.

The sandbox's own `mfa@sandbox.test` and `expired@sandbox.test` users, refresh grants and
throttling are being added separately; until they land, `SignInServer` answers for them
(the names and the MFA code are the sandbox's) and passes everything else to the sandbox.
After the merge the tests that use `mfa`/`expired`/`throttled` can drop this layer.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs

import httpx

from lib.connect import SANDBOX_PASSWORD, injected, sandbox_transport
from lib.convertr import ClientConfig

MFA_USER = "mfa@sandbox.test"
MFA_CODE = "123456"
"""The sandbox's documented fixed code (a sandbox convenience)."""
MFA_STANDS_IN_FOR = "analyst@sandbox.test"
"""Until the sandbox knows the MFA user, the second step signs in as this user (same rights)."""
EXPIRED_USER = "expired@sandbox.test"
THROTTLED_USER = "throttled@sandbox.test"
THROTTLE_SECONDS = 300
MFA_TOKEN = "mfa-tok-5a6b7c8d9e"
ENTERPRISE_URL = "https://acme.cvtr.io"


def _form(request: httpx.Request) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(request.content.decode()).items()}


class SignInServer:
    """A MockTransport handler: logins for the demo users above, the sandbox for the rest.
    Records every login form, the tokens it handed out and each logout."""

    def __init__(self, db_path: Path) -> None:
        self.sandbox = sandbox_transport(db_path)
        self.lock = threading.Lock()
        self.logins: list[dict[str, str]] = []
        self.issued: list[str] = []
        """Access and refresh tokens handed out (for the no-secrets checks)."""
        self.logouts = 0
        self.refresh_owner: dict[str, str] = {}
        self.refresh_works = False
        """Answer refresh grants (as the sandbox will) instead of refusing them."""
        self.paths: list[str] = []
        self.answer: Callable[[httpx.Request], httpx.Response | None] | None = None
        """Answers a request itself (a failure, say), or returns None for the usual answer."""

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.paths.append(str(request.url))
        if self.answer is not None:
            answer = self.answer(request)
            if answer is not None:
                return answer
        if request.method == "POST" and request.url.path == "/api/login":
            return self._login(request)
        if request.method == "POST" and request.url.path == "/api/logout":
            with self.lock:
                self.logouts += 1
        return self.sandbox.handle_request(request)

    def _sandbox_login(self, request: httpx.Request, username: str) -> httpx.Response:
        forwarded = httpx.Request(
            "POST", request.url, data={"username": username, "password": SANDBOX_PASSWORD}
        )
        response = self.sandbox.handle_request(forwarded)
        response.read()
        body = json.loads(response.content)
        with self.lock:
            for name in ("access_token", "refresh_token"):
                if isinstance(body.get(name), str):
                    self.issued.append(body[name])
            if isinstance(body.get("refresh_token"), str):
                self.refresh_owner[body["refresh_token"]] = username
        return httpx.Response(response.status_code, json=body)

    def _login(self, request: httpx.Request) -> httpx.Response:
        form = _form(request)
        with self.lock:
            self.logins.append(form)
        username = form.get("username", "")
        if form.get("grant_type") == "refresh_token":
            owner = self.refresh_owner.get(form.get("refresh_token", ""))
            if self.refresh_works and owner is not None:
                return self._sandbox_login(request, owner)
            return httpx.Response(
                400, json={"error": "invalid_grant", "error_description": "Invalid refresh token"}
            )
        if username == THROTTLED_USER:
            return httpx.Response(
                429,
                json={"error": "too_many_attempts", "error_description": "Slow down"},
                headers={"Retry-After": str(THROTTLE_SECONDS)},
            )
        if username == EXPIRED_USER and form.get("password") == SANDBOX_PASSWORD:
            return httpx.Response(
                200, json={"access_token": "", "expires_in": 3600, "password_expired": True}
            )
        if username == MFA_USER and form.get("password") == SANDBOX_PASSWORD:
            if "mfa_code" not in form:
                return httpx.Response(
                    200,
                    json={
                        "error": "Mfa Required",
                        "error_description": "Enter the code from your authenticator",
                        "mfa_token": MFA_TOKEN,
                    },
                )
            if form.get("mfa_token") != MFA_TOKEN or form.get("mfa_code") != MFA_CODE:
                return httpx.Response(
                    400, json={"error": "invalid_grant", "error_description": "Invalid code"}
                )
            return self._sandbox_login(request, MFA_STANDS_IN_FOR)
        if "password" in form and form["password"] != SANDBOX_PASSWORD:
            return httpx.Response(
                400,
                json={"error": "invalid_grant", "error_description": "Invalid credentials"},
            )
        return self._sandbox_login(request, username)


class Clock:
    """The clients' monotonic clock, moved by the test (token expiry without waiting)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@contextmanager
def serving_app_with(server: SignInServer, clock: Clock | None = None) -> Iterator[None]:
    """Within the block, every client the app creates talks to `server`."""

    def transport(_config: ClientConfig) -> httpx.BaseTransport:
        return httpx.MockTransport(server)

    with injected(transport, clock=clock or Clock(), max_retries=0):
        yield
