"""Property-based fuzzing of every page's URL parameters (hypothesis + AppTest): arbitrary
text, digits that are not ASCII, huge and negative numbers, empty values, repeated keys and
unknown names. No run raises, none shows "Something went wrong", and every open finishes in
a bounded number of script runs.

The default run is small enough for the suite; `LEADLENS_FUZZ_EXAMPLES=500` runs more
examples per page (each example is one open of the page, about a second).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lib.ui import campaigns_page, lead_page, leads_page, pages
from lib.views.url_params import PAGE_PARAMS
from tests.support.apptest import app_at, texts

FUZZ_EXAMPLES_ENV = "LEADLENS_FUZZ_EXAMPLES"
DEFAULT_FUZZ_EXAMPLES = 25
FUZZ_EXAMPLES = int(os.environ.get(FUZZ_EXAMPLES_ENV, DEFAULT_FUZZ_EXAMPLES))
FUZZ_SETTINGS = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=FUZZ_EXAMPLES == DEFAULT_FUZZ_EXAMPLES,
)
"""Derandomized in the suite so a failure reproduces; random in a longer run."""
RUN_TIMEOUT_SECONDS = 20
"""An open takes about a second; a loop is stopped by the run count long before this."""
MAX_RUNS = 3
"""Script runs of the page body in one open: the first, and at most a rerun or two."""
SHOWCASE_LEAD = "100001"
"""A lead of the seeded sandbox (campaign 1), so a fuzzed Lead page also gets past its id."""

ODD_VALUES = (
    "",
    " ",
    "²",
    "³⁴",
    "٣",
    "\uff11\uff12",
    "0",
    "-1",
    "+3",
    "1.5",
    "1e3",
    "NaN",
    "9" * 40,
    str(2**63),
    "\x00",
    "%00",
    "Caution,Nope",
    "2026-02-30",
    "20260101",
    "[x](javascript:alert(1))",
    "<script>",
    "\u202eevil",
)
"""Values that broke, or could break, a parser that trusts `str.isdigit` or `int()`."""
GOOD_VALUES = (
    "1",
    "3",
    "2",
    "25",
    "200",
    "9999",
    "Caution",
    "Valid,Invalid",
    "Undelivered",
    "2026-01-02",
    "score",
    "asc",
    SHOWCASE_LEAD,
)
"""Values some parameter accepts, so the fuzz reaches past the first check."""

value = st.one_of(
    st.sampled_from(ODD_VALUES),
    st.sampled_from(GOOD_VALUES),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(max_size=60),
)


def query(page_title: str) -> st.SearchStrategy[dict[str, Any]]:
    """A query string for the page: its own parameters and some others, each once or
    repeated (a list: Streamlit reads the last)."""
    names = st.sampled_from((*PAGE_PARAMS[page_title], "lead", "campaign", "tab", "x"))
    return st.dictionaries(
        names, st.one_of(value, st.lists(value, min_size=2, max_size=3)), max_size=6
    )


def counting(monkeypatch: pytest.MonkeyPatch, module: Any) -> list[int]:
    """Counts the runs of a page body; a run past the bound raises (a loop is stopped)."""
    runs: list[int] = []
    # Hypothesis runs every example in one test call: wrap the page's own body, not the
    # previous example's counter.
    render: Callable[[Any], None] = getattr(module.render, "__wrapped__", module.render)

    def counted(session: Any) -> None:
        runs.append(1)
        if len(runs) > MAX_RUNS:
            raise AssertionError(f"the page ran {len(runs)} times in one open")
        render(session)

    counted.__wrapped__ = render  # type: ignore[attr-defined]
    monkeypatch.setattr(module, "render", counted)
    return runs


def open_page(path: str, params: dict[str, Any], runs: list[int]) -> None:
    runs.clear()
    at = app_at(path)
    for name, given_value in params.items():
        at.query_params[name] = given_value
    at.run(timeout=RUN_TIMEOUT_SECONDS)
    assert not at.exception, (params, [item.value for item in at.exception])
    shown = texts(at)
    assert "Something went wrong" not in shown, (params, shown)
    assert 1 <= len(runs) <= MAX_RUNS, params


@FUZZ_SETTINGS
@given(params=query("Campaigns"))
@example(params={"campaign": "²"})
@example(params={"campaign": ["3", "x"]})
def test_the_campaigns_page_survives_any_link(
    monkeypatch: pytest.MonkeyPatch, params: dict[str, Any]
) -> None:
    open_page(pages.CAMPAIGNS, params, counting(monkeypatch, campaigns_page))


@FUZZ_SETTINGS
@given(params=query("Leads"), campaign=st.sampled_from(("1", "3")))
@example(params={"page": "²"}, campaign="3")
@example(params={"page": "9999"}, campaign="3")
@example(params={"page": str(10**30), "size": "٣"}, campaign="3")
@example(params={"campaign": "-1"}, campaign="3")
def test_the_leads_page_survives_any_link(
    monkeypatch: pytest.MonkeyPatch, params: dict[str, Any], campaign: str
) -> None:
    # Mostly a real campaign, so every place parameter is read (a bad campaign is fuzzed
    # too: the `campaign` key may be drawn and replace it).
    open_page(pages.LEADS, {"campaign": campaign, **params}, counting(monkeypatch, leads_page))


@FUZZ_SETTINGS
@given(params=query("Lead"), lead=st.sampled_from((SHOWCASE_LEAD, "100002")))
@example(params={"lead": "²"}, lead=SHOWCASE_LEAD)
@example(params={"campaign": "²"}, lead=SHOWCASE_LEAD)
@example(params={"tab": "Job Details"}, lead=SHOWCASE_LEAD)
@example(params={"tab": ["Notes", "<img src=x onerror=alert(1)>"]}, lead=SHOWCASE_LEAD)
@example(params={"tab": ""}, lead="100002")
def test_the_lead_page_survives_any_link(
    monkeypatch: pytest.MonkeyPatch, params: dict[str, Any], lead: str
) -> None:
    open_page(pages.LEAD, {"lead": lead, **params}, counting(monkeypatch, lead_page))
