"""What every chart shares: the font, the margins, the transparent ground, the legend above
the plot, and the rule that every text from the API passes through `chart_label` (plotly
renders some HTML) before it reaches a figure.

The pages' charts (Campaigns, Timeline) are Vega-Lite specifications
(`VegaChart`: plain dictionaries over a frame, drawn by `st.vega_lite_chart`): Streamlit's
Vega-Lite code is about a fifth of plotly's 4.7 MB of JavaScript, which cost the browser well
over a second the first time a session showed a chart (issue 18). No Altair either: its
import and schema validation cost the server a third of a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import pandas as pd

CHART_FONT: Final = "sans-serif"
CHART_MARGIN: Final[dict[str, int]] = {"l": 10, "r": 10, "t": 30, "b": 10}
TRANSPARENT: Final = "rgba(0,0,0,0)"
"""The plot's ground: the page's own shows through."""
UTC_SCALE: Final[dict[str, str]] = {"type": "utc"}
"""Times on a chart are wall times already (of the page's zone, or dates): read and shown as
they are, never moved into the browser's zone."""


def legend_above(**extra: Any) -> dict[str, Any]:
    """A horizontal legend just above the plot, left-aligned (plotly)."""
    return {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, **extra}


@dataclass(frozen=True)
class VegaChart:
    """A Vega-Lite chart: the rows it draws and its specification (never changed once made;
    the page hands `st.vega_lite_chart` a copy)."""

    data: pd.DataFrame
    spec: dict[str, Any]

    @property
    def encoding(self) -> dict[str, Any]:
        """The encoding of the chart, or of its first layer."""
        encoding: dict[str, Any] = (
            self.spec["layer"][0] if "layer" in self.spec else self.spec
        ).get("encoding", {})
        return encoding


def colour_scale(colours: dict[str, str]) -> dict[str, list[str]]:
    """A colour per name, in this order (the legend's)."""
    return {"domain": list(colours), "range": list(colours.values())}


def legend_on_top() -> dict[str, Any]:
    return {"orient": "top", "title": None, "labelLimit": 260}


def spec(height: int, body: dict[str, Any]) -> dict[str, Any]:
    """A specification with the shared height, font and ground."""
    return {
        "height": height,
        "background": None,
        "config": {"font": CHART_FONT, "view": {"stroke": None}},
        **body,
    }
