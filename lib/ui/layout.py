"""One constant stylesheet so every page fits a 1024x768 screen: tabs wrap onto a second
row instead of hiding behind a scroll arrow, the main column's side margins shrink on narrow
windows, section headings keep their size at a level that skips none, and one syntax colour
meets WCAG AA. No lead value ever reaches it (it is a constant)."""

from __future__ import annotations

from typing import Final

import streamlit as st

from lib.palette import CODE_GROUND, CODE_NULL, CODE_TEXT, SEGMENT_FOCUS_TEXT

NARROW_WINDOW_PX: Final = 1200
NARROW_SIDEBAR_PX: Final = 256
"""The sidebar's width on a narrow window (Streamlit's is 300 px): its controls fit in 256 px,
and the 44 px go to the tables beside it (`lib.views.column_widths` counts on them)."""
RECENT_LEADS_KEY: Final = "recent-leads"
"""The sidebar's pinned and recent leads' container key."""
PROFILE_PANEL_KEY: Final = "profile-panel"
"""The Lead Profile panel's container key (Streamlit gives it the class st-key-<key>)."""
PROFILE_LABEL_WIDTH: Final = "6.5rem"
"""Wide enough for the panel's longest label ("Generator", "Captured") on one line."""
SECTION_HEADING_SIZE: Final = "1.25rem"
PAYLOAD_CLASS: Final = "lead-payload"
"""A provider message drawn as a code block by `st.html` (`lead_extras.payload_html`)."""
FIGURES_CLASS: Final = "lead-figures"
"""A row of labelled figures drawn by `st.html` as `st.metric` draws each
(`lead_extras.figures_html`)."""
FIT_STYLES: Final = f"""
<style>
/* Tabs wrap instead of scrolling: every tab stays visible and clickable. */
[data-testid="stTabs"] [role="tablist"] {{
  flex-wrap: wrap; overflow-x: visible; row-gap: 0.25rem;
}}
/* Code blocks' plain text (no syntax colour: a Timeline detail, a long provider value) took
   the page's near-black text colour on the dark code ground (1.1:1): the code text colour. */
[data-testid="stCode"] pre, [data-testid="stCode"] pre code {{ color: {CODE_TEXT}; }}
/* A provider message: a code block as st.code draws one, without its syntax highlighter. */
.{PAYLOAD_CLASS} {{
  margin: 0; padding: 1rem; border-radius: 0.5rem; background: {CODE_GROUND};
  color: {CODE_TEXT}; font-family: "Source Code Pro", monospace; font-size: 0.875rem;
  line-height: 1.6; white-space: pre-wrap; overflow-wrap: anywhere;
}}
.{PAYLOAD_CLASS} code {{ font-family: inherit; color: inherit; background: none; padding: 0; }}
/* A row of figures (Job Details' outcome counts and score): st.metric's sizes, a figure as
   wide as its value, wrapping at 1024 px; without the 2 rem indent Streamlit gives lists. */
[data-testid="stMain"] dl.{FIGURES_CLASS} {{
  display: flex; flex-wrap: wrap; column-gap: 2rem; row-gap: 0.5rem; margin: 0; padding: 0;
}}
.{FIGURES_CLASS} dt {{ font-size: 0.875rem; line-height: 1.6; }}
.{FIGURES_CLASS} dd {{
  margin: 0; font-size: 2.25rem; line-height: 1.4; white-space: nowrap;
}}
/* The Lead Profile panel: a label never breaks inside a word ("Campai/gn"); its column
   is as wide as the longest label, the value takes the rest, and a long value with no
   spaces (a URL) breaks after its slashes and dots rather than a character a line. */
.st-key-{PROFILE_PANEL_KEY} [data-testid="stHorizontalBlock"]
  > [data-testid="stColumn"]:first-child {{
  flex: 0 0 {PROFILE_LABEL_WIDTH}; min-width: {PROFILE_LABEL_WIDTH};
}}
.st-key-{PROFILE_PANEL_KEY} [data-testid="stHorizontalBlock"]
  > [data-testid="stColumn"]:first-child [data-testid="stCaptionContainer"] {{
  overflow-wrap: normal; word-break: keep-all; hyphens: none;
}}
.st-key-{PROFILE_PANEL_KEY} [data-testid="stText"] {{
  overflow-wrap: break-word; word-break: normal;
}}
/* Headings never skip a level (axe heading-order): a page's sections are h2 and theirs h3,
   drawn at the size the sections had (a campaign's name, st.header, a little larger). */
[data-testid="stMain"] [data-testid="stMarkdown"] :is(h2, h3) {{
  font-size: {SECTION_HEADING_SIZE}; padding-top: 0.375rem;
}}
[data-testid="stMain"] [data-testid="stHeading"] h2 {{ font-size: 1.75rem; }}
/* The sidebar's pinned and recent leads all link to the Lead page, which Streamlit marks
   as the page shown on every one of them: drawn as plain links (hover kept). */
.st-key-{RECENT_LEADS_KEY} [data-testid="stPageLink-NavLink"]:not(:hover) {{
  background-color: transparent;
}}
.st-key-{RECENT_LEADS_KEY} [data-testid="stPageLink-NavLink"] * {{ font-weight: 400; }}
/* A chosen segment (Audit's sections, an order control) keeps AA contrast while focused. */
[data-testid="stButtonGroup"] button[data-focused="true"][aria-checked="true"] p {{
  color: {SEGMENT_FOCUS_TEXT};
}}
/* The JSON "null" token's fixed syntax colour fails WCAG AA on the dark code ground. */
[data-testid="stCode"] .null {{ color: {CODE_NULL}; }}
@media (max-width: {NARROW_WINDOW_PX}px) {{
  [data-testid="stMainBlockContainer"] {{ padding-left: 1.5rem; padding-right: 1.5rem; }}
  /* The sidebar's own width is an inline style (it can be dragged): a narrow window sets it. */
  [data-testid="stSidebar"] {{
    width: {NARROW_SIDEBAR_PX}px !important; min-width: {NARROW_SIDEBAR_PX}px !important;
  }}
}}
</style>
"""


def fit_narrow_screens() -> None:
    """Apply the stylesheet (an invisible element; call once per run)."""
    st.html(FIT_STYLES)
