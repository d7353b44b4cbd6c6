"""Who is signed in, in a real browser (headless Chromium), where the demo user used to drift
between pages: each demo user walks every link, the sidebar and the browser's Back, and is the
same person on every step; a deep link to an enterprise asks to sign in (wrong password, MFA)
and then lands on its lead; signing out.

The enterprise is the sandbox behind `SignInServer` (MFA as documented), served over HTTP
from this process, so the app runs as a real visitor meets it: a base URL and no shared
login. Once the sandbox has its own MFA user, point `enterprise_url` at
`python -m lib.sandbox serve` instead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any, Final
from urllib.parse import quote
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import httpx
import pytest

from lib.connect import SANDBOX_PASSWORD, demo_catalogue
from lib.presentation import role_label
from tests.support.browser import (
    RENDER_TIMEOUT_MS,
    app_database_env,
    axe_findings,
    click_tab,
    open_app,
    require_chromium,
    rerun,
    settle,
    streamlit_server,
)
from tests.support.ports import free_port
from tests.support.sandbox import copy_database
from tests.support.signin_fakes import MFA_CODE, MFA_TOKEN, MFA_USER, SignInServer

LEAD: Final = "100001"
SIGN_IN_TITLE: Final = "Sign in to Lead Lens"
WRONG: Final = "Wrong-Passw0rd-in-browser"
PLAIN_DEMO_USERS: Final = tuple(
    user for user in demo_catalogue().users if user[0] not in (MFA_USER, "expired@sandbox.test")
)
"""The demo users who sign in with the password alone (the MFA and expired-password users,
once the sandbox has them, have their own tests)."""

Step = tuple[str, str, str]
"""(where: "main", "sidebar" or "back"; the link's text; the page expected after it)."""
WALK: Final[tuple[Step, ...]] = (
    ("main", "Campaign leads", "Leads"),
    ("main", "Back to the campaign", "Campaigns"),
    ("main", "Open its leads", "Leads"),
    ("sidebar", f"Lead {LEAD}", "Lead"),
    ("main", "Open campaign", "Campaigns"),
    ("back", "", "Lead"),
    ("sidebar", "Campaigns", "Campaigns"),
    ("sidebar", "Leads", "Leads"),
    ("back", "", "Campaigns"),
    ("sidebar", f"Lead {LEAD}", "Lead"),
)
"""Ten steps over every link between the pages, from the Lead page back to it: the analyst (the
default user) and the masked user (the one the drift hit) walk it once (a second round walked
the same links again, for a minute of the suite)."""
SHORT_WALK: Final = WALK[4:]
"""Its last six steps, from the Lead page back to it (a link, the sidebar and Back, twice):
for the users the drift never hit, on the same links."""
FULL_WALKERS: Final = ("analyst@sandbox.test", "masked@sandbox.test")


def sidebar(page: Any) -> Any:
    return page.locator('[data-testid="stSidebar"]')


def run_finished(page: Any) -> None:
    """The app's run is over and the page complete: it ends with the request inspector when
    someone is signed in, with "Not signed in" in the sidebar when not (whoever it names is
    then checked)."""
    settle(page)
    page.wait_for_function(
        """() => {
            const bar = document.querySelector('[data-testid="stSidebar"]');
            const text = bar ? bar.innerText : "";
            return document.body.innerText.includes("Request inspector")
                || text.includes("Not signed in");
        }""",
        timeout=RENDER_TIMEOUT_MS,
    )


def click_link(page: Any, where: str, text: str) -> None:
    scope = sidebar(page) if where == "sidebar" else page.locator('[data-testid="stMain"]')
    links = scope.locator('[data-testid="stPageLink-NavLink"]').filter(
        has=page.get_by_text(text, exact=True)
    )
    with rerun(page):
        links.first.click()
    run_finished(page)


def on_page(page: Any, name: str) -> bool:
    path = page.url.split("://", 1)[1].split("/", 1)[1].split("?", 1)[0]
    return {"": "Campaigns", "Leads": "Leads", "Lead": "Lead"}.get(path) == name


def signed_in_as(page: Any) -> str:
    return str(sidebar(page).inner_text())


def walk(page: Any, email: str, name: str, role: str, steps: Sequence[Step]) -> list[str]:
    """Each step in turn; after each, who the sidebar says is signed in (problems, if any)."""
    problems: list[str] = []
    for number, (where, text, expected) in enumerate(steps):
        if where == "back":
            with rerun(page):
                page.go_back()
            run_finished(page)
        else:
            click_link(page, where, text)
        shown = signed_in_as(page)
        if name not in shown or f"{email} · {role_label(role)}" not in shown:
            problems.append(f"step {number + 1} ({where} {text!r}): sidebar says {shown!r}")
        if not on_page(page, expected):
            problems.append(f"step {number + 1} ({where} {text!r}): at {page.url}")
    return problems


def sign_in_as_demo_user(page: Any, name: str, role: str) -> None:
    with rerun(page):
        sidebar(page).get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name=SIGN_IN_TITLE).first.wait_for(timeout=RENDER_TIMEOUT_MS)
    with rerun(page):
        page.get_by_role("button", name=f"{name} · {role_label(role)}").click()


def test_the_sign_in_page_passes_axe(new_page: Callable[[], Any], app_url: str) -> None:
    # The demo users' emails were links in a caption: the link colour at the caption's
    # opacity was 2.96:1 on white (axe: color-contrast, serious).
    page = new_page()
    open_app(page, f"{app_url}/?campaign=1")
    with rerun(page):
        sidebar(page).get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name=SIGN_IN_TITLE).first.wait_for(timeout=RENDER_TIMEOUT_MS)
    page.get_by_text("analyst@sandbox.test").first.wait_for(timeout=RENDER_TIMEOUT_MS)
    assert axe_findings(page) == [], "no violation of any impact (moderate and minor included)"


@pytest.mark.parametrize(("email", "role", "name"), PLAIN_DEMO_USERS)
def test_each_demo_user_stays_themselves_through_every_link(
    new_page: Callable[[], Any], app_url: str, email: str, role: str, name: str
) -> None:
    page = new_page()
    open_app(page, f"{app_url}/Lead?lead={LEAD}")
    if email != "analyst@sandbox.test":
        sign_in_as_demo_user(page, name, role)
    assert name in signed_in_as(page), "starts as the chosen user, on the linked lead"
    assert on_page(page, "Lead")
    assert walk(page, email, name, role, WALK if email in FULL_WALKERS else SHORT_WALK) == []
    click_tab(page, "Provider Logs")  # drawn by the rerun the click starts
    hidden = page.get_by_text("cannot see provider logs").count() > 0
    assert hidden == (role == "masked"), "what this role may see, after all the steps"


# -- an enterprise ---------------------------------------------------------------------------


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log on the test's output."""


def _wsgi(server: SignInServer) -> Callable[..., Iterable[bytes]]:
    """`server` (an httpx handler) as a WSGI app, to be reached over HTTP."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        query = environ.get("QUERY_STRING", "")
        path = quote(environ.get("PATH_INFO", "/").encode("latin-1"), safe="/:@[]!$&'()*+,;=")
        url = f"http://{environ.get('HTTP_HOST', 'localhost')}{path}" + (
            f"?{query}" if query else ""
        )
        headers = {
            name[5:].replace("_", "-").lower(): value
            for name, value in environ.items()
            if name.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        response = server(
            httpx.Request(environ["REQUEST_METHOD"], url, headers=headers, content=body)
        )
        content = response.read()
        dropped = ("content-length", "content-encoding", "transfer-encoding", "connection")
        start_response(
            f"{response.status_code} {response.reason_phrase}",
            [(k, v) for k, v in response.headers.items() if k.lower() not in dropped]
            + [("Content-Length", str(len(content)))],
        )
        return [content]

    return app


@pytest.fixture(scope="module")
def enterprise(
    sandbox_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, SignInServer]]:
    """The dashboard (no shared login) pointed at the sandbox-backed enterprise over HTTP."""
    require_chromium()
    database = copy_database(sandbox_db, tmp_path_factory.mktemp("identity") / "sandbox.sqlite")
    api = SignInServer(database)
    port = free_port()
    http = make_server(
        "127.0.0.1", port, _wsgi(api), server_class=_ThreadingServer, handler_class=_QuietHandler
    )
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    settings = {
        "CONVERTR_BASE_URL": f"http://127.0.0.1:{port}",
        "CONVERTR_SHARED_LOGIN": "false",
        "CONVERTR_USERNAME": "",
        "CONVERTR_PASSWORD": "",
        "CONVERTR_TOKEN": "",
        "LEADLENS_SANDBOX_DB": str(database),
        **app_database_env(database.parent),
    }
    try:
        with streamlit_server(settings) as url:
            yield url, api
    finally:
        http.shutdown()
        http.server_close()


def fill_sign_in(page: Any, email: str, password: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    with rerun(page):
        page.get_by_role("button", name="Sign in", exact=True).click()


def test_a_deep_link_asks_to_sign_in_then_lands_on_its_lead_and_signs_out(
    new_page: Callable[[], Any], enterprise: tuple[str, SignInServer]
) -> None:
    url, api = enterprise
    page = new_page()
    urls: list[str] = []
    page.on("framenavigated", lambda frame: urls.append(frame.url))
    open_app(page, f"{url}/Lead?lead={LEAD}")
    page.get_by_role("heading", name=SIGN_IN_TITLE).first.wait_for(timeout=RENDER_TIMEOUT_MS)
    assert page.get_by_role("tab").count() == 0, "nothing of the lead before signing in"

    fill_sign_in(page, "analyst@sandbox.test", WRONG)
    page.get_by_text("Wrong email or password.").first.wait_for(timeout=RENDER_TIMEOUT_MS)
    assert page.get_by_label("Password", exact=True).input_value() == ""
    assert page.get_by_label("Email").input_value() == "analyst@sandbox.test"

    page.get_by_label("Password", exact=True).fill(SANDBOX_PASSWORD)
    with rerun(page):
        page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("heading", name=f"Lead {LEAD}").first.wait_for(timeout=RENDER_TIMEOUT_MS)
    assert f"lead={LEAD}" in page.url
    assert "Ana Lyst" in signed_in_as(page)

    with rerun(page):
        sidebar(page).get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name=SIGN_IN_TITLE).first.wait_for(timeout=RENDER_TIMEOUT_MS)
    page.get_by_text("You are signed out.").first.wait_for(timeout=RENDER_TIMEOUT_MS)
    assert api.logouts == 1
    text = page.locator("body").inner_text()
    secrets = (WRONG, *api.issued)
    assert not [
        secret for secret in secrets for shown in (*urls, page.url, text) if secret in shown
    ]


def test_mfa_in_the_browser(
    new_page: Callable[[], Any], enterprise: tuple[str, SignInServer]
) -> None:
    url, _api = enterprise
    page = new_page()
    open_app(page, f"{url}/Leads?campaign=1")
    fill_sign_in(page, MFA_USER, SANDBOX_PASSWORD)
    code = page.get_by_label("Code")
    code.fill("000000")
    with rerun(page):
        page.get_by_role("button", name="Verify").click()
    page.get_by_text("That code was not accepted").first.wait_for(timeout=RENDER_TIMEOUT_MS)
    page.get_by_label("Code").fill(MFA_CODE)
    with rerun(page):
        page.get_by_role("button", name="Verify").click()
    # the page the link named
    page.get_by_role("heading", name="Leads").first.wait_for(timeout=RENDER_TIMEOUT_MS)
    assert "campaign=1" in page.url
    body = page.locator("body").inner_text()
    assert MFA_TOKEN not in body and MFA_CODE not in page.url
