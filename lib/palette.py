"""The one colour palette: every colour a page, a table or a chart draws with, named once, and
what each colour means (a lead status, a request wave, a series).

Marks (bars, lines, badges) use the mid tones; text uses the darker shades, each with the
4.5:1 contrast WCAG AA asks of text (`contrast_ratio`, checked in the tests). Nothing here
imports streamlit or plotly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from lib.convertr.models import ProcessrStatus

# --- The colours ------------------------------------------------------------------------

BLUE: Final = "#2F6FED"
GREEN: Final = "#2E9E5B"
AMBER: Final = "#E3A008"
RED: Final = "#D64545"
STEEL: Final = "#6B8AC9"
"""The Test status: a blue apart from the series blue."""
PURPLE: Final = "#8E5CD9"
VIOLET: Final = "#7A5AF8"
TEAL: Final = "#0F9FB4"
ORANGE: Final = "#C2590A"
SLATE: Final = "#5B6B8C"
GREY: Final = "#8A94A6"
"""Marks that are neither good nor bad (a note, the sign-in before a dossier's waves)."""
GRID: Final = "#E6E9F0"
"""Chart grid lines."""
WHITE: Final = "#FFFFFF"
HEADER_GREY: Final = "#F0F2F6"
"""Streamlit's table header ground (text on it must reach AA too)."""

GREEN_TEXT: Final = "#1E7B45"
AMBER_TEXT: Final = "#8A5A00"
RED_TEXT: Final = "#B42323"
BLUE_TEXT: Final = "#3B5BA5"
SEGMENT_FOCUS_TEXT: Final = "#1749B0"
"""A chosen segment's text while it has the keyboard focus: Streamlit's blue (#1D5BD8) on its
focus ground (#D2DEF7) is 4.4:1, short of AA; this is 5.9:1."""
MUTED_TEXT_COLOUR: Final = "#5E6878"
"""Grey for muted text (a masked value, a job not run): 5.6:1 on white."""
CODE_NULL: Final = "#93C5FD"
"""The JSON `null` token on the dark code ground (its own colour fails AA there)."""
CODE_GROUND: Final = "#101828"
"""Code blocks' ground (the theme's `codeBackgroundColor`, and the provider payloads')."""
CODE_TEXT: Final = "#E6EAF2"
"""Plain text in code blocks (the theme's `codeTextColor`): 14:1 on the code ground #101828."""

# --- What they mean -----------------------------------------------------------------------

STATUS_BADGE_COLOURS: Final[Mapping[ProcessrStatus, str]] = {
    "Valid": "green",
    "Caution": "orange",
    "Invalid": "red",
    "Test": "blue",
}
"""The one status → colour mapping, in `st.badge` colour names."""
STATUS_HEX_COLOURS: Final[Mapping[ProcessrStatus, str]] = {
    "Valid": GREEN,
    "Caution": AMBER,
    "Invalid": RED,
    "Test": STEEL,
}
"""The same mapping for charts (plotly needs real colours)."""
STATUS_TEXT_COLOURS: Final[Mapping[ProcessrStatus, str]] = {
    "Valid": GREEN_TEXT,
    "Caution": AMBER_TEXT,
    "Invalid": RED_TEXT,
    "Test": BLUE_TEXT,
}
"""Darker shades of the status colours for text in tables: each has at least the 4.5:1
contrast WCAG AA asks of text, on white and on the grid's grey header (the chart colours,
as text, reach 2.3:1 to 3.4:1)."""
SERIES_COLOURS: Final = (BLUE, AMBER, GREEN, RED, PURPLE, TEAL, ORANGE, SLATE)
"""One line per campaign, in this order (the ninth takes the first colour again)."""
WAVE_COLOURS: Final = (GREY, BLUE, GREEN, AMBER, RED, VIOLET)
"""The request waterfall: sign-in (no wave) grey, then wave 1, 2, 3, ... (the last repeats)."""
MAP_MARKER: Final = BLUE

# --- Contrast -----------------------------------------------------------------------------

WCAG_AA_TEXT_CONTRAST: Final = 4.5
LINEAR_RGB_THRESHOLD: Final = 0.03928


def contrast_ratio(foreground: str, background: str = WHITE) -> float:
    """WCAG 2 contrast ratio of two `#RRGGBB` colours (1.0 to 21.0)."""

    def luminance(colour: str) -> float:
        digits = colour.lstrip("#")
        if len(digits) != 6:
            raise ValueError(f"expected a #RRGGBB colour, got {colour!r}")
        channels = [int(digits[index : index + 2], 16) / 255 for index in (0, 2, 4)]
        red, green, blue = (
            channel / 12.92
            if channel <= LINEAR_RGB_THRESHOLD
            else ((channel + 0.055) / 1.055) ** 2.4
            for channel in channels
        )
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
