"""The Audit page in headless Chromium: run an audit, download the report and verify it, open
a finding's lead and step to the next finding."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from lib.cli import main
from lib.evidence import verify_pack
from lib.views.column_widths import ROW_MARKER_PX
from tests.support.browser import click_grid, grid_rows, open_app, ready_grid, rerun, settle

pytestmark = pytest.mark.browser


def seed_window(sandbox_db: Path) -> tuple[dt.date, dt.date]:
    """The 30 days up to campaign 1's last capture in the seed (the seed's dates are fixed, so
    a window ending today would leave its stories behind as the calendar moves on)."""
    with sqlite3.connect(sandbox_db) as connection:
        (last,) = connection.execute(
            "SELECT max(created_ts) FROM leads WHERE campaign_id = 1"
        ).fetchone()
    end = dt.date.fromisoformat(str(last)[:10])
    return end - dt.timedelta(days=29), end


def audit_link(app_url: str, sandbox_db: Path) -> str:
    first, last = seed_window(sandbox_db)
    return f"{app_url}/Audit?campaign=1&from={first}&to={last}"


def first_finding_leads(
    sandbox_db: Path, folder: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> list[int]:
    """The findings' leads in order, as the page's findings table lists them (the CLI runs
    the same audit of campaign 1 over the window the page's link names)."""
    first, last = seed_window(sandbox_db)
    # The in-process sandbox reads its database from the process environment.
    monkeypatch.setenv("LEADLENS_SANDBOX_DB", str(sandbox_db))
    env = {"LEADLENS_SANDBOX_DB": str(sandbox_db), "LEADLENS_AUDIT_DIR": str(folder)}
    window = ["--from", str(first), "--to", str(last)]
    assert main(["audit", "1", *window, "--json"], env=env) in (0, 3)
    findings = json.loads(capsys.readouterr().out)["findings"]
    return list(dict.fromkeys(lead for f in findings for lead in f["lead_ids"]))


def test_run_download_open_a_finding_and_step_to_the_next(
    new_tab: Any,
    app_url: str,
    sandbox_db: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    leads = first_finding_leads(sandbox_db, tmp_path / "cli", capsys, monkeypatch)
    assert len(leads) >= 2
    page = new_tab()
    open_app(page, audit_link(app_url, sandbox_db))
    page.get_by_role("button", name="Run audit").click()
    page.get_by_text("Leads audited").wait_for()
    settle(page)
    assert "Something went wrong" not in page.inner_text("body")
    with page.expect_download(timeout=60_000) as download_info:
        page.get_by_role("button", name="Download audit report").click()
    target = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(target)
    assert verify_pack(target).ok
    # Open the first finding's lead in this session (the sidebar's Go to lead), as a row would.
    page.get_by_placeholder("Lead id or link").fill(str(leads[0]))
    page.get_by_role("button", name="Open lead").click()
    settle(page)
    page.wait_for_url(re.compile(rf"lead={leads[0]}"))
    settle(page)
    page.get_by_text(re.compile(r"Finding \d+ of \d+")).wait_for(timeout=20_000)
    assert f"Finding 1 of {len(leads)}" in page.inner_text("body"), page.inner_text("body")[:1500]
    page.get_by_role("button", name="Next finding").click()
    page.get_by_text(re.compile(rf"Finding 2 of {len(leads)}")).wait_for()
    settle(page)
    assert f"lead={leads[1]}" in page.url


WRAPPED_LINES = """
([texts, width, font]) => {
  // Greedy word wrap, as the grid wraps a cell's text: how many lines each text takes.
  const context = document.createElement('canvas').getContext('2d');
  context.font = font;
  return texts.map((text) => {
    let lines = 1;
    let line = '';
    for (const word of text.split(' ')) {
      const candidate = line ? `${line} ${word}` : word;
      if (line && context.measureText(candidate).width > width) {
        lines += 1;
        line = word;
      } else {
        line = candidate;
      }
    }
    return lines;
  });
}
"""
CELL_PADDING_PX = 12
"""A cell's text keeps this far from each side (the grid's own padding is 8 px: a margin)."""
LINE_PX = 20


def test_at_1024_px_every_why_is_read_whole_in_the_findings_table(
    new_tab: Any,
    app_url: str,
    sandbox_db: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from lib.ui.audit_page import FINDING_ROW_PX, FINDING_WIDTHS

    # Every sentence the audit of campaign 1 can say (each story's, over all its leads).
    monkeypatch.setenv("LEADLENS_SANDBOX_DB", str(sandbox_db))
    env = {"LEADLENS_SANDBOX_DB": str(sandbox_db), "LEADLENS_AUDIT_DIR": str(tmp_path / "cli")}
    assert (
        main(["audit", "1", "--from", "2000-01-01", "--to", "2030-12-31", "--json"], env=env) == 0
    )
    reasons = sorted(
        {finding["reason"] for finding in json.loads(capsys.readouterr().out)["findings"]}
    )
    assert len(reasons) >= 9
    page = new_tab(viewport={"width": 1024, "height": 768})
    open_app(page, audit_link(app_url, sandbox_db))
    page.get_by_role("button", name="Run audit").click()
    page.get_by_text("Leads audited").wait_for()
    settle(page)
    grid = page.get_by_test_id("stDataFrame").first
    box = ready_grid(grid)
    # The columns fit the grid: nothing to scroll sideways to, "Why" included.
    overflow = grid.locator(".dvn-scroller").evaluate("(s) => s.scrollWidth - s.clientWidth")
    assert overflow <= 1, f"the findings table scrolls sideways by {overflow} px"
    assert box.width >= sum(FINDING_WIDTHS.values()), box
    header = grid_rows(grid)[0]
    assert header == ["", *FINDING_WIDTHS] or header == list(FINDING_WIDTHS), header
    # Each sentence wraps within the lines a row holds, at the narrowest "Why" can be drawn.
    font = "14px " + grid.evaluate("(g) => getComputedStyle(g).fontFamily")
    width = FINDING_WIDTHS["Why"] - 2 * CELL_PADDING_PX
    lines = page.evaluate(WRAPPED_LINES, [reasons, width, font])
    fits = FINDING_ROW_PX // LINE_PX
    too_long = [(n, reason) for n, reason in zip(lines, reasons, strict=True) if n > fits]
    assert not too_long, f"more than {fits} lines at {width} px: {too_long}"
    # A click on a header sorts the whole table on the server (the grid's own sort ordered
    # only the page on screen); a second click flips it.
    lead_column = ROW_MARKER_PX + FINDING_WIDTHS["Lead"] // 2
    with rerun(page):
        click_grid(grid, 0, lead_column)
    page.get_by_text("Sorted by Lead, lowest first (every page).").wait_for()
    first_leads = [int(row[-5]) for row in grid_rows(grid)[1:3]]
    assert first_leads == sorted(first_leads), first_leads
    with rerun(page):
        click_grid(grid, 0, lead_column)
    page.get_by_text("Sorted by Lead, highest first (every page).").wait_for()
