"""Markdown never receives text from the server unescaped (issue 11).

Markdown syntax and HTML are planted in a copy of the sandbox database wherever the API
sends text the pages show (campaign name, advertiser, status and currency; user name and
role; lead values, job and log messages, notes, field labels, publisher names) and in the
server's 403 and 422 reasons; then every page and every Lead tab is drawn with AppTest and
every element Streamlit renders as markdown (markdown, captions, alerts, badges, labels,
help, tab and expander labels, page links) is checked: none may hold a live link, image,
HTML tag, emphasis, code span or line break of the planted text.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from lib.presentation import AUTOLINK_BREAK
from lib.ui import keys, pages
from lib.ui.edit_tab import current_table_key
from lib.views.edit import COLUMN_VALUE
from tests.support.apptest import AppTransport, app_at, hydra_error, is_request, tab

HOSTILE = (
    "[x](https://evil) ![i](https://evil/i.png) <img src=x onerror=alert(1)> **b** `code` "
    "line\nbreak\r=cell me@evil.example"
)
"""Markdown link, image, HTML, emphasis, code, line breaks and an email autolink in one."""

LIVE_MARKUP = (
    ("a link or image", re.compile(r"\]\(|!\[")),
    ("an HTML tag or autolink", re.compile(r"<[A-Za-z/!?]")),
    ("a bare URL", re.compile(r"://|www\.")),
    ("an email autolink", re.compile(r"\w@evil")),
    ("emphasis", re.compile(r"\*\*b\*\*")),
    ("a code span", re.compile(r"`code`")),
    ("a line break", re.compile(r"line[\r\n]|break[\r\n]")),
)
"""What a markdown renderer would turn the planted text into, searched for in the source
once every backslash-escaped character is taken out."""

SHOWCASE = 100001
CAMPAIGN = 1
ANALYST = "analyst@sandbox.test"
VIEWER = "viewer@sandbox.test"


def live_markup(source: str) -> list[str]:
    """The kinds of live markup `source` holds outside backslash escapes."""
    # The autolink break ends a text node: no autolink spans it (checked in the browser).
    nodes = source.split(AUTOLINK_BREAK)
    bare = "\0".join(re.sub(r"\\.", "", node, flags=re.DOTALL) for node in nodes)
    return [kind for kind, pattern in LIVE_MARKUP if pattern.search(bare)]


def test_the_checker_finds_what_a_renderer_would_render() -> None:
    from lib.presentation import escape_markdown

    assert set(live_markup(HOSTILE)) == {kind for kind, _ in LIVE_MARKUP}
    assert live_markup(escape_markdown(HOSTILE)) == []
    assert live_markup("**Could not load this tab.** Details: a · b") == []


def markdown_sources(at: Any) -> Iterator[tuple[str, str]]:
    """(element kind, text) of every text Streamlit renders as markdown on the page."""
    for kind in ("markdown", "caption", "info", "error", "warning", "success", "toast"):
        for element in getattr(at, kind):
            yield kind, str(element.value)
    for element in at.metric:
        yield "metric label", str(element.label)
    for element in at.tabs:
        yield "tab label", str(element.label)
    for element in at.expander:
        yield "expander label", str(element.label)
    for element in at.get("page_link"):
        yield "page link", str(element.proto.label)
    widgets = (
        "button", "selectbox", "multiselect", "text_input", "number_input", "date_input",
        "checkbox", "radio", "toggle", "text_area",
    )  # fmt: skip
    for kind in widgets:
        for element in getattr(at, kind, []):
            yield f"{kind} label", str(element.label)
            yield f"{kind} help", str(element.help or "")


def assert_inert(at: Any, where: str) -> None:
    assert not at.exception, f"{where}: {at.exception}"
    found = [
        f"{kind}: {kinds} in {text[:160]!r}"
        for kind, text in markdown_sources(at)
        for kinds in (live_markup(text),)
        if kinds
    ]
    assert not found, f"{where}: live markup from the API:\n" + "\n".join(found)


def reached(at: Any) -> bool:
    """Whether the planted text reached a markdown element (escaped): without it the
    check above would pass for a page that never showed the text."""
    return any(r"https\://evil" in joined(text) for _kind, text in markdown_sources(at))


def joined(text: str) -> str:
    """`text` without the autolink breaks (as a reader sees it, escapes aside)."""
    return text.replace(AUTOLINK_BREAK, "")


@pytest.fixture
def hostile_db(writable_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the sandbox with the hostile text wherever the API sends text."""
    with sqlite3.connect(writable_db) as db:
        db.execute(
            "UPDATE campaigns SET name = ?, advertiser = ?, status = ?, currency = ?",
            (f"Campaign {HOSTILE}", HOSTILE, HOSTILE, HOSTILE),
        )
        db.execute("UPDATE users SET name = ? WHERE email = ?", (HOSTILE, ANALYST))
        db.execute(
            "UPDATE users SET name = ?, role = ? WHERE email = ?", (HOSTILE, HOSTILE, VIEWER)
        )
        db.execute("UPDATE publishers SET name = ?", (HOSTILE,))
        db.execute(
            "UPDATE leads SET company = ?, job_title = ?, form_name = ?, entry_point = ?,"
            " address_line1 = ? WHERE id = ?",
            (HOSTILE, HOSTILE, HOSTILE, HOSTILE, HOSTILE, SHOWCASE),
        )
        db.execute("UPDATE lead_datas SET value = ? WHERE lead_id = ?", (HOSTILE, SHOWCASE))
        db.execute(
            "UPDATE processr_job_leads SET message = ? WHERE lead_id = ?", (HOSTILE, SHOWCASE)
        )
        db.execute(
            "UPDATE logs SET message = ?, job_name = ?, provider = ? WHERE lead_id = ?",
            (HOSTILE, HOSTILE, HOSTILE, SHOWCASE),
        )
        db.execute(
            "UPDATE lead_notes SET message = ?, author = ?, old_value = ?, new_value = ?"
            " WHERE lead_id = ?",
            (HOSTILE, HOSTILE, HOSTILE, HOSTILE, SHOWCASE),
        )
        db.execute("UPDATE lead_editable_fields SET label = ?", (HOSTILE,))
        db.execute("UPDATE campaign_processr_jobs SET name = ?", (HOSTILE,))
    monkeypatch.setenv("LEADLENS_SANDBOX_DB", str(writable_db))
    return writable_db


def test_campaigns_and_leads_pages_escape_every_text_from_the_api(hostile_db: Path) -> None:
    at = app_at(pages.CAMPAIGNS, campaign=str(CAMPAIGN)).run()
    assert_inert(at, "Campaigns")
    assert reached(at), "the campaign's texts reached the page"
    at = app_at(pages.LEADS, campaign=str(CAMPAIGN)).run()
    assert_inert(at, "Leads")
    assert reached(at)


def test_every_lead_tab_escapes_every_text_from_the_api_and_its_reasons(
    hostile_db: Path, app_transport: AppTransport
) -> None:
    reason = f"Refused: {HOSTILE}"

    def answer(request: httpx.Request) -> httpx.Response | None:
        if is_request(request, "GET", "lead-notes"):
            return hydra_error(403, reason)
        if is_request(request, "POST", "lead-datas"):
            body = {
                "title": "An error occurred",
                "detail": reason,
                "status": 422,
                "violations": [{"propertyPath": "value", "message": reason}],
            }
            return httpx.Response(
                422, json=body, headers={"content-type": "application/problem+json"}
            )
        return None

    app_transport.answer = answer
    at: Any = app_at(pages.LEAD, lead=str(SHOWCASE)).run()
    assert_inert(at, "Lead")
    assert reached(at)
    assert r"Refused\: \[x\]" in tab(at, "Notes").error[0].value, "the 403 reason, escaped"
    # A save the server refuses with a hostile reason: the report shows it, escaped.
    rows = list(tab(at, "Edit Data").dataframe[0].value.index)
    at.session_state[current_table_key(at.session_state, SHOWCASE)] = {
        "edited_rows": {rows.index("company"): {COLUMN_VALUE: "Harbourline"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    at.button(key=keys.EDIT_SAVE).click().run()
    assert_inert(at, "Lead after a refused save")
    assert any(r"Refused\: \[x\]" in item.value for item in tab(at, "Edit Data").error)


def test_a_hostile_role_is_escaped_in_the_sidebar_and_the_read_only_reasons(
    hostile_db: Path,
) -> None:
    at = app_at(pages.LEAD, lead=str(SHOWCASE))
    at.session_state[keys.DEMO_USER] = VIEWER
    at.run()
    assert_inert(at, "Lead as a user with a hostile role")
    assert r"https\://evil" in joined(tab(at, "Edit Data").info[0].value), "the role, escaped"
    assert r"https\://evil" in joined(tab(at, "Provider Logs").info[0].value)
