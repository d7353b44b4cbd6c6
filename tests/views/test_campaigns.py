"""lib/views/campaigns.py: leads per day (and their chart), filters, the list and the KPIs."""

from __future__ import annotations

from datetime import date

from lib.charts import chronology_figure, comparison_figure
from lib.convertr.models import LeadStatisticsChronology
from lib.presentation import STATUS_HEX_COLOURS
from lib.views.campaigns import (
    chronology_frame,
)
from lib.views.lead import comparison_frame


def chronology(campaign: int, day: date, total: int) -> LeadStatisticsChronology:
    return LeadStatisticsChronology.model_validate(
        {"id": day.toordinal() * 10 + campaign, "campaign": f"/api/v4/campaigns/{campaign}",
         "date": day, "total": total, "valid": total, "invalid": 0, "caution": 0, "test": 0,
         "delivered": 0}
    )  # fmt: skip


def test_chronology_chart_stacks_statuses_in_their_colours() -> None:
    days = [chronology(1, date(2026, 6, day), day) for day in (1, 2, 3)]
    frame = chronology_frame(days, 1, start=date(2026, 6, 2))
    assert list(frame["total"]) == [2, 3]
    figure = chronology_figure(frame)
    assert [trace.name for trace in figure.data] == ["Valid", "Caution", "Invalid", "Test"]
    assert [trace.marker.color for trace in figure.data] == list(STATUS_HEX_COLOURS.values())
    assert figure.layout.barmode == "stack"


def test_charts_with_few_leads_tick_whole_numbers_only() -> None:
    few = chronology_frame([chronology(1, date(2026, 6, 1), 2)], 1)
    many = chronology_frame([chronology(1, date(2026, 6, 1), 400)], 1)
    # Plotly would tick at halves, shown as "0, 1, 1, 2, 2" by the whole-number format.
    assert chronology_figure(few).layout.yaxis.dtick == 1
    assert chronology_figure(many).layout.yaxis.dtick is None
    weekly = comparison_frame([chronology(1, date(2026, 6, 1), 3)], {1: "One"})
    assert comparison_figure(weekly).layout.yaxis.dtick == 1
