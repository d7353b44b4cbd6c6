"""What every chart shares: the font, the margins, the transparent ground, the legend above
the plot, and the rule that every text from the API passes through `chart_label` (plotly
renders some HTML) before it reaches a figure. The Campaigns and Lead pages' charts are SVG
pictures (`pictures.py`); plotly draws the inspector's and the Audit page's.
"""

from __future__ import annotations

from typing import Any, Final

CHART_FONT: Final = "sans-serif"
CHART_MARGIN: Final[dict[str, int]] = {"l": 10, "r": 10, "t": 30, "b": 10}
TRANSPARENT: Final = "rgba(0,0,0,0)"
"""The plot's ground: the page's own shows through."""


def legend_above(**extra: Any) -> dict[str, Any]:
    """A horizontal legend just above the plot, left-aligned (plotly)."""
    return {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, **extra}
