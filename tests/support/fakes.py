"""A fake v4 API for httpx.MockTransport: a plain function per route, and sample items."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import httpx

from lib.convertr import ClientConfig, ConvertrClient

PASSWORD = "pw-Sup3r-Secret-9"
FIRST_TOKEN = "tok-first-0a1b2c3d"
SECOND_TOKEN = "tok-second-4e5f6a7b"
READY_TOKEN = "tok-ready-8c9d0e1f"
SECRETS = (PASSWORD, FIRST_TOKEN, SECOND_TOKEN, READY_TOKEN)
BASE_URL = "https://acme.cvtr.io"

Handler = Callable[[httpx.Request], httpx.Response]

LEAD: dict[str, Any] = {
    "@id": "/api/v4/leads/100001",
    "@type": "Lead",
    "id": 100001,
    "campaign": "/api/v4/campaigns/3",
    "publisher": "/api/v4/publishers/7",
    "email": "ada@example.com",
    "firstName": "Ada",
    "processrStatus": "Caution",
    "score": 85,
    "maxScore": 100,
    "createdTs": "2026-06-01T10:00:00+00:00",
    "publisherPayout": "22.73",
    "leadData": [{"@id": "/api/v4/lead-datas/1", "@type": "LeadData", "name": "x", "value": "y"}],
    "someFutureField": {"ignored": True},
}


def lead(**changes: Any) -> dict[str, Any]:
    item = copy.deepcopy(LEAD)
    item.update(changes)
    return item


def hydra(
    members: list[dict[str, Any]],
    *,
    total: int | None = None,
    next_link: str | None = None,
    prefix: str = "hydra:",
) -> dict[str, Any]:
    view: dict[str, Any] = {"@id": "/api/v4/x", "@type": "hydra:PartialCollectionView"}
    if next_link is not None:
        view[f"{prefix}next"] = next_link
    return {
        "@type": "hydra:Collection",
        f"{prefix}member": members,
        f"{prefix}totalItems": len(members) if total is None else total,
        f"{prefix}view": view,
    }


def hydra_error(status: int, description: str, **extra: Any) -> httpx.Response:
    body = {"@type": "hydra:Error", "hydra:title": "An error occurred"}
    body["hydra:description"] = description
    body.update(extra)
    return httpx.Response(status, json=body, headers={"content-type": "application/ld+json"})


def login_ok(token: str = FIRST_TOKEN, expires_in: int = 3600) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "access_token": token,
            "expires_in": expires_in,
            "token_type": "bearer",
            "refresh_token": "refresh-" + token,
            "user_id": 2,
            "password_expired": False,
        },
    )


class FakeApi:
    """Routes ``(method, path)`` to handlers and records every request it receives."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Handler] = {}
        self.requests: list[httpx.Request] = []
        self.tokens = iter([FIRST_TOKEN, SECOND_TOKEN, "tok-third", "tok-fourth"])
        self.route("POST", "/api/login", lambda _: login_ok(next(self.tokens)))

    def route(self, method: str, path: str, handler: Handler) -> None:
        self.routes[(method, path)] = handler

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        handler = self.routes.get((request.method, request.url.path))
        if handler is None:
            return hydra_error(404, f"No route {request.method} {request.url.path}")
        return handler(request)

    def calls(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == path]


class Sleeps(list[float]):
    """A fake ``time.sleep`` that records the delays."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def make_client(
    api: FakeApi,
    *,
    config: ClientConfig | None = None,
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], float] | None = None,
    max_retries: int = 3,
) -> ConvertrClient:
    from pydantic import SecretStr

    config = config or ClientConfig(
        base_url=BASE_URL, username="ana@acme.test", password=SecretStr(PASSWORD)
    )
    return ConvertrClient(
        config,
        transport=httpx.MockTransport(api),
        sleep=sleep if sleep is not None else Sleeps(),
        clock=clock or (lambda: 0.0),
        max_retries=max_retries,
    )
