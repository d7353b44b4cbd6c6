"""The Audit page's view models: pure functions of an `AuditResult` (no streamlit, no client).

Figures first; the findings as a table (one row per finding and lead, filterable); the funnel
plot's frame (flagged share against volume per publisher, with the baseline's 95% bands) and
its table twin; the clusters; arrivals by weekday and hour; what a change of thresholds does;
"Finding 3 of 41" for stepping through findings on the Lead page.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import pandas as pd

from lib.audit.frames import findings_frame
from lib.audit.run import AuditResult
from lib.audit.scorecard import Z_95
from lib.presentation import neutralise_frame

WEEKDAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DEFAULT_WINDOW_DAYS: Final = 30
FINDING_COLUMNS: Final = {
    "finding": "Finding",
    "signal": "Signal",
    "strength": "Strength",
    "new": "New",
    "lead_id": "Lead",
    "leads_in_finding": "Leads in finding",
    "reason": "Why",
}


def default_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The last 30 days, today included."""
    return today - dt.timedelta(days=DEFAULT_WINDOW_DAYS - 1), today


def linked_window(
    today: dt.date, earliest: dt.date, first: dt.date | None, last: dt.date | None
) -> tuple[dt.date, dt.date]:
    """The window a link asks for (``from`` and ``to``, each optional), kept between
    `earliest` and `today`; a link with neither gets `default_window`. A lone ``from`` runs to
    today, a lone ``to`` covers the 30 days up to it; reversed dates are put in order."""
    if first is None and last is None:
        return default_window(today)
    end = min(max(last or today, earliest), today)
    start = first if first is not None else end - dt.timedelta(days=DEFAULT_WINDOW_DAYS - 1)
    start = min(max(start, earliest), today)
    return (start, end) if start <= end else (end, start)


@dataclass(frozen=True)
class AuditFigures:
    leads: int
    flagged: int
    payout_at_risk: float
    clusters: int
    findings: int
    new_findings: int
    publishers_above: int

    @property
    def flagged_share(self) -> float:
        return self.flagged / self.leads if self.leads else 0.0


def figures(result: AuditResult) -> AuditFigures:
    return AuditFigures(
        leads=result.leads,
        flagged=len(result.flagged_leads()),
        payout_at_risk=result.payout_at_risk(),
        clusters=len(result.clusters),
        findings=len(result.findings),
        new_findings=sum(1 for finding in result.findings if finding.new),
        publishers_above=sum(
            1
            for row in result.publishers
            if row.sub_id is None and row.flagged_judgement == "above baseline"
        ),
    )


@dataclass(frozen=True)
class FindingFilters:
    signals: tuple[str, ...] = ()
    """Empty: every signal."""
    strength: str | None = None
    new_only: bool = False
    lead_ids: tuple[int, ...] = ()
    """Only these leads (a publisher's point on the funnel plot); empty: all."""


def findings_table(result: AuditResult, filters: FindingFilters = FindingFilters()) -> pd.DataFrame:
    """One row per finding and lead, display names, lead values neutralised as text."""
    frame = findings_frame(result)
    if filters.signals:
        frame = frame[frame["signal"].isin(filters.signals)]
    if filters.strength:
        frame = frame[frame["strength"] == filters.strength]
    if filters.new_only:
        frame = frame[frame["new"]]
    if filters.lead_ids:
        frame = frame[frame["lead_id"].isin(filters.lead_ids)]
    return neutralise_frame(frame.rename(columns=FINDING_COLUMNS).reset_index(drop=True))


FINDINGS_PAGE_ROWS: Final = 500
"""Rows of the findings table drawn at once: a 200,000-lead audit has some 16,000, and the
browser spent more on drawing them all than the server on the whole audit."""


def findings_pages(rows: int, size: int = FINDINGS_PAGE_ROWS) -> int:
    """How many pages `rows` findings rows fill (at least one)."""
    return max(1, math.ceil(rows / size))


def findings_page(table: pd.DataFrame, page: int, size: int = FINDINGS_PAGE_ROWS) -> pd.DataFrame:
    """Page `page` (from 1, kept within the table) of the findings table, in its order."""
    page = min(max(1, page), findings_pages(len(table), size))
    return table.iloc[(page - 1) * size : page * size].reset_index(drop=True)


FindingsSort = tuple[str, bool]
"""A findings table's order: the column and whether highest (or last, or new) first."""


def next_findings_sort(current: FindingsSort | None, column: str) -> FindingsSort:
    """A click on `column`'s header: the same column again flips its direction; another
    column starts from A to Z, lowest first (New: new first)."""
    if current is not None and current[0] == column:
        return column, not current[1]
    return column, column == "New"


def sorted_findings(table: pd.DataFrame, order: FindingsSort | None) -> pd.DataFrame:
    """The whole findings table in `order` (before it is cut into pages, so that every page
    follows it), ties by lead; unchanged without an order or for a column it does not have."""
    if order is None or order[0] not in table.columns:
        return table
    column, descending = order
    keys = [column] if column == "Lead" else [column, "Lead"]
    ascending = [not descending] if column == "Lead" else [not descending, True]
    return table.sort_values(keys, ascending=ascending, kind="stable", ignore_index=True)


def findings_order_caption(order: FindingsSort | None) -> str:
    """How the findings are ordered, for the caption under the table."""
    if order is None:
        return "Click a column's header to sort every page by it."
    column, descending = order
    words = {
        "Lead": ("highest first", "lowest first"),
        "New": ("new first", "new last"),
    }.get(column, ("Z to A", "A to Z"))
    return f"Sorted by {column}, {words[0] if descending else words[1]} (every page)."


def finding_leads(table: pd.DataFrame) -> tuple[int, ...]:
    """The leads of a findings table in its order, each once (Previous / Next on the Lead
    page steps through these)."""
    return tuple(dict.fromkeys(int(lead) for lead in table["Lead"]))


def finding_position(leads: Sequence[int], lead_id: int) -> str | None:
    """``Finding 3 of 41`` for a lead among the findings, or None when it is not one."""
    try:
        index = list(leads).index(lead_id)
    except ValueError:
        return None
    return f"Finding {index + 1} of {len(leads)}"


def neighbours(leads: Sequence[int], lead_id: int) -> tuple[int | None, int | None]:
    """The previous and next finding's lead (None at an end)."""
    ordered = list(leads)
    if lead_id not in ordered:
        return None, None
    index = ordered.index(lead_id)
    previous = ordered[index - 1] if index > 0 else None
    following = ordered[index + 1] if index + 1 < len(ordered) else None
    return previous, following


def publisher_table(result: AuditResult) -> pd.DataFrame:
    """The scorecard (the funnel plot's table twin): a row per publisher, then its sub-IDs."""
    rows = [
        {
            "Campaign": row.campaign_id,
            "Publisher": row.publisher_id,
            "Sub-ID": "(all)" if row.sub_id is None else (row.sub_id or "(none)"),
            "Leads": row.leads,
            "Valid %": round(100 * row.valid / row.leads, 1) if row.leads else 0.0,
            "Caution %": round(100 * row.caution / row.leads, 1) if row.leads else 0.0,
            "Invalid %": round(100 * row.invalid / row.leads, 1) if row.leads else 0.0,
            "Flagged %": round(100 * row.flagged_share, 1),
            "95% interval": f"{100 * row.flagged_low:.1f} to {100 * row.flagged_high:.1f}",
            "Baseline %": round(100 * row.baseline_flagged, 1),
            "Flagged vs baseline": row.flagged_judgement,
            "Valid vs baseline": row.valid_judgement,
            "Caution vs baseline": row.caution_judgement,
            "Invalid vs baseline": row.invalid_judgement,
            "Payout at risk": round(row.payout_at_risk, 2),
        }
        for row in result.publishers
    ]
    return neutralise_frame(pd.DataFrame(rows))


def funnel_frame(result: AuditResult) -> pd.DataFrame:
    """One point per campaign and publisher: volume, flagged share, baseline, judgement."""
    rows = [
        {
            "campaign_id": row.campaign_id,
            "publisher_id": row.publisher_id,
            "label": f"Publisher {row.publisher_id} (campaign {row.campaign_id})",
            "leads": row.leads,
            "flagged_share": row.flagged_share,
            "baseline": row.baseline_flagged,
            "judgement": row.flagged_judgement,
            "payout_at_risk": row.payout_at_risk,
        }
        for row in result.publishers
        if row.sub_id is None
    ]
    columns = [
        "campaign_id",
        "publisher_id",
        "label",
        "leads",
        "flagged_share",
        "baseline",
        "judgement",
        "payout_at_risk",
    ]
    return pd.DataFrame(rows, columns=columns)


def funnel_bands(baseline: float, largest: int, points: int = 60) -> pd.DataFrame:
    """The funnel's 95% limits around the baseline at each volume (normal approximation of
    a binomial share, the usual funnel-plot control limits)."""
    top = max(largest, 2)
    volumes = sorted({max(1, round(top ** (step / points))) for step in range(points + 1)})
    rows = []
    for volume in volumes:
        half = Z_95 * math.sqrt(max(baseline * (1 - baseline), 0.0) / volume)
        rows.append(
            {"leads": volume, "low": max(0.0, baseline - half), "high": min(1.0, baseline + half)}
        )
    return pd.DataFrame(rows, columns=["leads", "low", "high"])


def publisher_leads(
    result: AuditResult, campaign_id: int, publisher_id: int | None
) -> tuple[int, ...]:
    """A publisher's flagged leads (a funnel point or a scorecard row opens these)."""
    return result.flagged_by_publisher.get((campaign_id, publisher_id), ())


def clusters_table(result: AuditResult) -> pd.DataFrame:
    rows = [
        {
            "Cluster": number,
            "Leads": len(cluster.lead_ids),
            "Campaigns": ", ".join(str(c) for c in cluster.campaigns),
            "Why": cluster.reason,
        }
        for number, cluster in enumerate(result.clusters, start=1)
    ]
    return pd.DataFrame(rows, columns=["Cluster", "Leads", "Campaigns", "Why"])


def cluster_edges_table(result: AuditResult, number: int) -> pd.DataFrame:
    cluster = result.clusters[number - 1]
    return pd.DataFrame(
        [
            {"From lead": edge.first, "To lead": edge.second, "Link": edge.sentence}
            for edge in cluster.edges
        ],
        columns=["From lead", "To lead", "Link"],
    )


def arrivals_frame(counts: Sequence[tuple[int, int, int]]) -> pd.DataFrame:
    """Weekday by hour grid (every cell, zero where no lead arrived)."""
    grid = {(day, hour): 0 for day in range(7) for hour in range(24)}
    for day, hour, count in counts:
        grid[(day, hour)] = count
    return pd.DataFrame(
        [
            {"weekday": WEEKDAYS[day], "hour": hour, "leads": count}
            for (day, hour), count in sorted(grid.items())
        ]
    )


@dataclass(frozen=True)
class ThresholdImpact:
    """What the thresholds on the sliders flag, against what the run's thresholds flagged."""

    leads: int
    leads_before: int
    publishers: int
    publishers_before: int
    payout: float
    payout_before: float

    def sentence(self) -> str:
        def change(now: float, before: float, money: bool = False) -> str:
            text = f"{now:,.2f}" if money else f"{now:,.0f}"
            delta = now - before
            if abs(delta) < 0.005:
                return f"{text} (unchanged)"
            sign = "+" if delta > 0 else "\N{MINUS SIGN}"
            difference = f"{abs(delta):,.2f}" if money else f"{abs(delta):,.0f}"
            return f"{text} ({sign}{difference})"

        return (
            f"With these thresholds: {change(self.leads, self.leads_before)} leads flagged, "
            f"{change(self.publishers, self.publishers_before)} publishers above baseline, "
            f"payout at risk {change(self.payout, self.payout_before, money=True)}."
        )


def threshold_impact(before: AuditResult, after: AuditResult) -> ThresholdImpact:
    old, new = figures(before), figures(after)
    return ThresholdImpact(
        leads=new.flagged,
        leads_before=old.flagged,
        publishers=new.publishers_above,
        publishers_before=old.publishers_above,
        payout=new.payout_at_risk,
        payout_before=old.payout_at_risk,
    )
