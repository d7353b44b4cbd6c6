"""The analyst's flow in headless Chromium: Go to lead, the Leads page's place surviving a
visit to a lead and browser Back, Previous / Next across a page boundary, header clicks that
sort on the server, no control, table column or cell value cut at 1440 px or 1024x768, and
axe-core on every page, Lead tab and Audit section after a run (no violation of any
impact)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from lib.connect import connect, sandbox_at, sandbox_config
from lib.convertr import ConvertrClient
from lib.ui.audit_page import SECTIONS
from lib.ui.leads_page import LEAD_COLUMN_ORDER, LEAD_COLUMN_WIDTHS
from lib.ui.widgets import MAX_TABLE_HEIGHT
from lib.views.column_widths import ROW_MARKER_PX
from lib.views.lead import LEAD_TABS, TAB_EDIT
from tests.browser.test_audit_browser import audit_link
from tests.support.browser import (
    GRID_ROW_PX,
    VIEWPORT,
    axe_findings,
    click_grid,
    click_tab,
    new_context,
    open_app,
    ready_grid,
    rerun,
    settle,
)

SIZES = ({"width": 1440, "height": 900}, {"width": 1024, "height": 768})
CHECKBOX_X = 15
"""The row-selection checkbox column, from the grid's left edge."""
ANALYST = "analyst@sandbox.test"
VIEWER = "viewer@sandbox.test"

CLIPPED_CONTROLS = """
() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  const controls = 'button, a[href], [role="tab"], [data-testid="stMetricValue"]';
  for (const element of document.querySelectorAll(controls)) {
    const box = element.getBoundingClientRect();
    // Zero-size or 1 px elements are hidden (the skip link, closed popovers).
    if (box.width <= 2 || box.height <= 2) continue;
    const label = (element.innerText || element.getAttribute('aria-label') || '').trim();
    if (box.left < -1 || box.right > width + 1) {
      found.push(`outside the window: ${label}`);
      continue;
    }
    const list = element.closest('[role="tablist"]');
    if (list) {
      const edges = list.getBoundingClientRect();
      if (box.right > edges.right + 1 || box.left < edges.left - 1) {
        found.push(`tab behind the scroll arrow: ${label}`);
        continue;
      }
    }
    for (const node of [element, ...element.querySelectorAll('*')]) {
      const hides = getComputedStyle(node).overflow !== 'visible';
      if (hides && node.scrollWidth > node.clientWidth + 1) {
        found.push(`label cut: ${label}`);
        break;
      }
    }
  }
  return found;
}
"""


CUT_TABLES = """
() => {
  const found = [];
  for (const grid of document.querySelectorAll('[data-testid="stDataFrame"]')) {
    if (!grid.checkVisibility()) continue;
    const scroller = grid.querySelector('.dvn-scroller');
    if (!scroller) continue;
    const box = grid.getBoundingClientRect();
    const name = grid.querySelector('table[role="grid"] th')?.textContent ?? '?';
    // Glide draws the header row on a canvas: the row is as wide as the scroller's content
    // (the row marker and every column), starting at the grid's left edge.
    const headerRight = box.left + scroller.scrollWidth;
    if (headerRight > box.left + scroller.clientWidth + 1) {
      found.push(`table starting "${name}": header row ends at ${Math.round(headerRight)} px, `
        + `its table at ${Math.round(box.left + scroller.clientWidth)} px`);
    }
    // A table shorter than the height cap shows every row (no inner scrollbar).
    if (box.height < MAX_HEIGHT && scroller.scrollHeight > scroller.clientHeight + 1) {
      found.push(`table starting "${name}": its last rows are cut`);
    }
  }
  for (const table of document.querySelectorAll('[data-testid="stTable"] table')) {
    const box = table.parentElement.getBoundingClientRect();
    for (const header of table.querySelectorAll('th')) {
      const edges = header.getBoundingClientRect();
      if (edges.right > box.right + 1 || edges.left < box.left - 1) {
        found.push(`header "${header.textContent}" outside its table`);
      }
    }
  }
  return found;
}
""".replace("MAX_HEIGHT", str(MAX_TABLE_HEIGHT))
"""Tables with a column past their right edge, or whose last rows are cut."""


WRAP_ABOVE_PX = 64
"""Streamlit wraps a cell's text only in rows taller than 4rem."""
LINE_PX = 20
"""A wrapped line of cell text, with room to spare (Glide draws them about 18.5 px apart)."""
WRAP_MARGIN_PX = 4
"""Glide may break a line a little before the column's edge: the greedy wrap keeps clear."""
LONG_TEXT_PX = 200
"""Text wider than this (a sentence, a URL, an email: some 35 characters) is long: a
selectable table of one-line rows may cut it, since its row opens it in full (the row shown
whole under the table, or the lead). Anything shorter (an id, a number, a date, a status, a
name) is never cut, and neither is anything in a table whose rows wrap or cannot be
selected."""

CUT_VALUES = """
(only) => {
  const found = [];
  const measure = document.createElement('canvas').getContext('2d');
  const grids = only ? [only] : document.querySelectorAll('[data-testid="stDataFrame"]');
  for (const grid of grids) {
    if (!grid.checkVisibility()) continue;
    const canvas = grid.querySelector('[data-testid="data-grid-canvas"]');
    const table = canvas && canvas.querySelector('table[role="grid"]');
    const scroller = grid.querySelector('.dvn-scroller');
    if (!table || !scroller || canvas.width === 0) continue;
    // Glide's theme, as the CSS variables it sets on its container.
    const style = getComputedStyle(canvas.closest('[style*="--gdg-font-family"]') ?? grid);
    const theme = (name) => style.getPropertyValue(name).trim();
    const family = theme('--gdg-font-family');
    const padding = parseFloat(theme('--gdg-cell-horizontal-padding'));
    const font = `${theme('--gdg-base-font-style')} ${family}`;
    const headerFont = `${theme('--gdg-header-font-style')} ${family}`;
    // The columns' edges: the vertical lines Glide draws down the header row on its canvas
    // (a pixel unlike both of its neighbours two pixels away, on every line of the header).
    const ratio = canvas.width / canvas.getBoundingClientRect().width;
    const band = Math.round(HEADER_PX * ratio);
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, band).data;
    const at = (x, y) => (y * canvas.width + x) * 4;
    const differs = (a, b) => Math.abs(pixels[a] - pixels[b])
      + Math.abs(pixels[a + 1] - pixels[b + 1]) + Math.abs(pixels[a + 2] - pixels[b + 2]) > 6;
    const edges = [0];
    for (let x = 2; x < canvas.width - 2; x++) {
      let line = true;
      for (let y = 2; y < band - 2 && line; y++) {
        line = differs(at(x, y), at(x - 2, y)) && differs(at(x, y), at(x + 2, y));
      }
      if (line && x / ratio - edges[edges.length - 1] > 4) edges.push(x / ratio);
    }
    edges.push(scroller.clientWidth);
    const titles = [...table.querySelectorAll('thead th')].map((th) => th.textContent);
    const name = titles.join(' | ');
    // A selectable table has one column more on the canvas: its row checkboxes.
    const marker = edges.length - 1 - titles.length;
    if (marker !== 0 && marker !== 1) {
      found.push(`table "${name}": ${edges.length - 1} column edges for ${titles.length} columns`);
      continue;
    }
    const room = (index) => edges[index + marker + 1] - edges[index + marker] - 2 * padding;
    // Glide clips a cell's text at its edge: text may run into half the right padding (the
    // bold header's width differs by a pixel or two between Chromium builds).
    const slack = padding / 2;
    const rows = Number(table.getAttribute('aria-rowcount')) - 1;
    const rowPx = rows > 0 ? (scroller.scrollHeight - HEADER_PX) / rows : HEADER_PX;
    const holds = rowPx > WRAP_ABOVE_PX ? Math.floor(rowPx / LINE_PX) : 1;
    // How many lines a text takes at `width` (greedy, as Glide wraps; a word too long for a
    // line takes more than one).
    const lines = (text, width) => {
      let count = 0;
      let line = '';
      for (const word of text.split(' ')) {
        const next = line ? `${line} ${word}` : word;
        if (line && measure.measureText(next).width > width - WRAP_MARGIN_PX) {
          count += Math.ceil(measure.measureText(line).width / width);
          line = word;
        } else {
          line = next;
        }
      }
      return count + Math.max(1, Math.ceil(measure.measureText(line).width / width));
    };
    measure.font = headerFont;
    titles.forEach((title, index) => {
      const needs = measure.measureText(title).width;
      if (needs > room(index) + slack) {
        const has = Math.floor(room(index));
        found.push(`header "${title}" needs ${Math.ceil(needs)} px, has ${has}`);
      }
    });
    measure.font = font;
    for (const row of table.querySelectorAll('tbody tr')) {
      [...row.querySelectorAll('td')].forEach((cell, index) => {
        const text = cell.textContent.trim();
        const width = room(index);
        if (!text || index >= titles.length) return;
        const needs = measure.measureText(text).width;
        if (marker === 1 && holds === 1 && needs > LONG_TEXT_PX) return;
        if (holds === 1 ? needs > width + slack : lines(text, width) > holds) {
          found.push(`${titles[index]}: "${text}" cut (${Math.ceil(needs)} px text, `
            + `${Math.floor(width)} px cell, ${holds} line${holds > 1 ? 's' : ''})`);
        }
      });
    }
  }
  return found;
}
""".replace("HEADER_PX", str(GRID_ROW_PX)).replace("WRAP_ABOVE_PX", str(WRAP_ABOVE_PX))
CUT_VALUES = (
    CUT_VALUES.replace("WRAP_MARGIN_PX", str(WRAP_MARGIN_PX))
    .replace("LONG_TEXT_PX", str(LONG_TEXT_PX))
    .replace("LINE_PX", str(LINE_PX))
)
"""Grid cells whose text is cut inside its cell: wider than its column less the padding, or,
in rows tall enough to wrap, taking more lines than a row holds (and headers cut likewise);
long text on one line in a selectable table excepted (`LONG_TEXT_PX`).
Glide draws the grid on a canvas and lists the drawn rows' text in an accessible table; the
columns' edges are read off the canvas, the text measured in Glide's own font."""


@pytest.fixture(scope="module")
def api(sandbox_db: Path) -> ConvertrClient:
    return connect(sandbox_config(), transport_factory=sandbox_at(sandbox_db))


@pytest.fixture(scope="module")
def page(new_page: Callable[[], Any]) -> Any:
    """One page reused by the flow tests (each starts with its own URL)."""
    return new_page()


def heading(page: Any) -> str:
    return str(page.locator("h1").first.inner_text()).strip()


def query(page: Any) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(page.url).query).items()}


def click_row(page: Any, row: int) -> None:
    """Select the `row`th (1-based) row of the page's first grid by its checkbox."""
    with rerun(page):
        click_grid(page.locator('[data-testid="stDataFrame"]').first, row, CHECKBOX_X)


def column_middle(page: Any, column: str) -> float:
    """Pixels from the Leads grid's left edge to the middle of `column` (drawn on a canvas:
    found from the page's widths, each grown by an equal share of the width left over, as
    Streamlit's grid grows the columns of a table wider than they add up to)."""
    scroller = page.locator('[data-testid="stDataFrame"] .dvn-scroller').first
    widths = [LEAD_COLUMN_WIDTHS[name] for name in LEAD_COLUMN_ORDER]
    spare = max(0, int(scroller.evaluate("(element) => element.clientWidth")))
    spare = max(0, spare - ROW_MARKER_PX - sum(widths))
    grown = [width + spare // len(widths) for width in widths]
    grown[-1] += spare - (spare // len(widths)) * len(widths)
    index = LEAD_COLUMN_ORDER.index(column)
    return ROW_MARKER_PX + sum(grown[:index]) + grown[index] / 2


def click_header(page: Any, column: str) -> None:
    """Click a Leads grid column header."""
    x = column_middle(page, column)
    with rerun(page):
        click_grid(page.locator('[data-testid="stDataFrame"]').first, 0, x)


def go_to(page: Any, text: str) -> None:
    box = page.get_by_role("textbox", name="Go to lead")
    box.fill(text)
    with rerun(page):
        box.press("Enter")


def test_go_to_lead_by_id_and_by_a_pasted_url(page: Any, app_url: str) -> None:
    open_app(page, f"{app_url}/?campaign=1")
    go_to(page, "100002")
    assert heading(page) == "Lead 100002"
    go_to(page, f"{app_url}/Lead?lead=100001&campaign=1")
    assert heading(page) == "Lead 100001"
    go_to(page, "999999999")
    assert page.get_by_text("Lead 999999999 was not found").is_visible()


def test_filter_page_open_a_lead_and_back_restores_the_list(
    page: Any, app_url: str, api: ConvertrClient
) -> None:
    # 25 rows a page: the test sandbox has two pages of Invalid leads on campaign 3.
    open_app(page, f"{app_url}/Leads?campaign=3&size=25")
    status = page.locator('[data-testid="stMultiSelect"]').first
    status.click()
    page.keyboard.type("Invalid")
    with rerun(page):
        page.keyboard.press("Enter")
        page.keyboard.press("Escape")
    pager = page.get_by_role("spinbutton", name="Page (of")
    pager.fill("2")
    with rerun(page):
        pager.press("Enter")
    listed = query(page)
    assert listed == {"campaign": "3", "status": "Invalid", "size": "25", "page": "2"}
    expected = api.leads_page(3, page=2, items_per_page=25, statuses=("Invalid",)).items
    click_row(page, 2)
    assert heading(page) == f"Lead {expected[1].id}"
    assert "Lead **" not in page.content()

    with rerun(page):
        page.go_back()
    assert urlsplit(page.url).path.endswith("/Leads")
    assert query(page) == {**listed, "row": str(expected[1].id)}, "the opened row is marked"
    assert page.get_by_text("Invalid", exact=True).first.is_visible(), "the filter is kept"
    assert page.get_by_role("spinbutton", name="Page (of").input_value() == "2"
    page.locator("td", has_text=str(expected[0].id)).first.wait_for(
        state="attached"
    )  # the same rows

    with rerun(page):
        page.go_forward()
    assert heading(page) == f"Lead {expected[1].id}"
    with rerun(page):
        page.get_by_role("link", name="Campaign leads").click()
    assert query(page) == {**listed, "row": str(expected[1].id)}, "the link restores it too"


def test_previous_and_next_cross_a_page_boundary(
    new_page: Callable[[], Any], app_url: str, api: ConvertrClient
) -> None:
    first_page = api.leads_page(3, page=1, items_per_page=25).items
    second_page = api.leads_page(3, page=2, items_per_page=25)
    # Page 2 through the pager, as the filter test does. Arriving by a link that names
    # `page=2`, the first click on a row went back to page 1 instead of opening the lead in
    # three of nine full runs (a browser of its own and a wait for page 2's rows did not
    # help): a defect of the Leads page not found yet, left open in the note.
    page = new_page()
    open_app(page, f"{app_url}/Leads?campaign=3&size=25")
    pager = page.get_by_role("spinbutton", name="Page (of")
    pager.fill("2")
    with rerun(page):
        pager.press("Enter")
    assert query(page) == {"campaign": "3", "size": "25", "page": "2"}
    page.locator("td", has_text=str(second_page.items[0].id)).first.wait_for(state="attached")
    click_row(page, 1)
    assert heading(page) == f"Lead {second_page.items[0].id}"
    assert page.get_by_text(f"26 of {second_page.total:,}").is_visible()
    with rerun(page):
        page.keyboard.press("k")  # the Previous shortcut
    assert heading(page) == f"Lead {first_page[-1].id}"
    assert page.get_by_text(f"25 of {second_page.total:,}").is_visible()
    with rerun(page):
        page.get_by_role("button", name="Next").click()
    assert heading(page) == f"Lead {second_page.items[0].id}"


def test_a_header_click_sorts_every_page_on_the_server(
    page: Any, app_url: str, api: ConvertrClient
) -> None:
    open_app(page, f"{app_url}/Leads?campaign=3")
    click_header(page, "Score")
    assert query(page).get("sort") == "score"
    best = api.leads_page(3, items_per_page=1, order="desc", order_by="score").items[0]
    page.locator("td", has_text=str(best.id)).first.wait_for(
        state="attached"
    )  # the best lead is listed
    assert page.get_by_text("Sorted by Score, highest first").is_visible()


@pytest.fixture(scope="module", params=SIZES, ids=lambda size: f"{size['width']}px")
def sized(request: Any, browser: Any) -> Iterator[Any]:
    context = new_context(browser, viewport=request.param)
    yield context.new_page()
    context.close()


def switch_demo_user(page: Any, email: str) -> None:
    chooser = page.get_by_role("combobox", name="Demo user")
    chooser.click()
    chooser.press_sequentially(email)
    with rerun(page):
        chooser.press("Enter")
    page.get_by_text(email).first.wait_for()


def choose_section(page: Any, name: str) -> None:
    """Show the Audit report's section `name` (a segmented control: a rerun)."""
    option = page.get_by_role("radio", name=name, exact=True)
    if option.get_attribute("aria-checked") == "true":
        return
    with rerun(page):
        option.click()


def cut_values(page: Any) -> list[str]:
    """`CUT_VALUES` for each visible grid of `page`, scrolled into view and drawn first:
    Glide lists the cells' text only for a grid in view (one below the fold read as empty,
    and its cut values went unseen: the Timeline's Kind column at 1024 px)."""
    found: list[str] = []
    for grid in page.locator('[data-testid="stDataFrame"]').all():
        if grid.is_visible():
            ready_grid(grid)
            found += grid.evaluate(CUT_VALUES)
    return found


def pages_and_tabs(page: Any, app_url: str, sandbox_db: Path) -> Iterator[str]:
    """Opens every page and Lead tab in turn, yielding its name; the Audit page before and
    after a run (each section of its report); then, as a viewer, the Edit Data tab's
    read-only grid."""
    open_app(page, f"{app_url}/?campaign=1")
    yield "Campaigns"
    open_app(page, f"{app_url}/Leads?campaign=3")
    yield "Leads"
    open_app(page, audit_link(app_url, sandbox_db))
    yield "Audit"
    page.get_by_role("button", name="Run audit").click()
    page.get_by_text("Leads audited").wait_for()
    settle(page)
    for section in SECTIONS:
        choose_section(page, section)
        yield f"Audit · {section}"
    open_app(page, f"{app_url}/Lead?lead=100001")
    for name in LEAD_TABS:
        click_tab(page, name)
        yield f"Lead · {name}"
    switch_demo_user(page, VIEWER)
    click_tab(page, TAB_EDIT)
    page.get_by_role("heading", name="Not editable").wait_for()
    yield f"Lead · {TAB_EDIT} (viewer)"
    switch_demo_user(page, ANALYST)


def test_no_control_table_column_or_value_is_cut_and_axe_finds_nothing(
    sized: Any, app_url: str, sandbox_db: Path
) -> None:
    problems: dict[str, list[str]] = {}
    walked = []
    for name in pages_and_tabs(sized, app_url, sandbox_db):
        walked.append(name)
        clipped = sized.evaluate(CLIPPED_CONTROLS)
        cut = sized.evaluate(CUT_TABLES) + cut_values(sized)
        findings = axe_findings(sized)
        if clipped or cut or findings:
            problems[name] = [*clipped, *cut, *findings]
    assert len(walked) == len(LEAD_TABS) + len(SECTIONS) + 4, "every page and tab was walked"
    assert problems == {}, "\n".join(
        f"{name}: {problem}" for name, found in problems.items() for problem in found
    )


def click_cell(page: Any, row: int, column: str) -> None:
    """Click the middle of `column`'s cell in the `row`th (1-based) row of the Leads grid."""
    x = column_middle(page, column)
    with rerun(page):
        click_grid(page.locator('[data-testid="stDataFrame"]').first, row, x)


@pytest.mark.parametrize("column", ["Name", "Delivery"])
def test_a_click_anywhere_on_a_leads_row_opens_it(
    page: Any, app_url: str, api: ConvertrClient, column: str
) -> None:
    open_app(page, f"{app_url}/Leads?campaign=3&size=25")
    assert page.get_by_text("Click a lead's row to open it.").is_visible()
    expected = api.leads_page(3, page=1, items_per_page=25).items
    click_cell(page, 3, column)
    assert heading(page) == f"Lead {expected[2].id}"


BROKEN_PROFILE_LABELS = """
() => {
  const found = [];
  const labels = document.querySelectorAll(
    '.st-key-profile-panel [data-testid="stColumn"]:first-child [data-testid="stCaptionContainer"]'
  );
  for (const label of labels) {
    const text = label.innerText.trim();
    if (!text || text.includes(' ')) continue;
    // The text's line boxes: one word on more than one line broke inside the word.
    const tops = new Set();
    const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const box of range.getClientRects()) tops.add(Math.round(box.top));
    }
    if (tops.size > 1) found.push(text);
  }
  return [labels.length, found];
}
"""


def test_no_profile_label_breaks_inside_a_word(sized: Any, app_url: str) -> None:
    open_app(sized, f"{app_url}/Lead?lead=100001")
    count, broken = sized.evaluate(BROKEN_PROFILE_LABELS)
    assert count >= 5, "the panel's labels were found"
    assert broken == []


def test_go_to_lead_keeps_a_rejected_entry_to_fix(page: Any, app_url: str) -> None:
    open_app(page, f"{app_url}/?campaign=1")
    go_to(page, "10000x2")
    assert heading(page) == "Campaigns", "stays on the page"
    box = page.get_by_role("textbox", name="Go to lead")
    assert box.input_value() == "10000x2", "the typo stays in the box"
    assert page.get_by_text("is not a lead id or a link to a lead").is_visible()
    box.fill("100002")
    with rerun(page):
        box.press("Enter")
    assert heading(page) == "Lead 100002"


TYPED_AND_HINT = """
(input) => {
  const hint = input.closest('[data-testid="stNumberInput"]')
    .querySelector('[data-testid="InputInstructions"]');
  if (!hint || !hint.checkVisibility()) return null;
  // The typed text's right edge: the input's left padding plus the text's width in its font.
  const style = getComputedStyle(input);
  const context = document.createElement("canvas").getContext("2d");
  context.font = style.font;
  const left = input.getBoundingClientRect().left + parseFloat(style.paddingLeft);
  return [left + context.measureText(input.value).width, hint.getBoundingClientRect().left];
}
"""


def test_press_enter_to_apply_leaves_the_typed_page_number_readable(
    page: Any, app_url: str
) -> None:
    open_app(page, f"{app_url}/Leads?campaign=3&size=25")
    pager = page.get_by_role("spinbutton", name="Page (of")
    overlaps = {}
    # 1200 px: between the two design widths, where the hint covered the number.
    for width in (1024, 1200, 1440):
        page.set_viewport_size({"width": width, "height": 900})
        pager.click()
        pager.press("End")
        pager.press_sequentially("0000")  # "10000": five digits, a very long list's pages
        page.wait_for_function(
            f"(input) => ({TYPED_AND_HINT})(input) !== null", arg=pager.element_handle()
        )
        text_right, hint_left = pager.evaluate(TYPED_AND_HINT)
        if text_right >= hint_left:
            overlaps[width] = (text_right, hint_left)
        pager.fill("1")
        pager.press("Tab")
    page.set_viewport_size(VIEWPORT)
    assert overlaps == {}, "the hint starts after the typed number at every width"
