"""The publisher scorecard: each publisher and sub-ID against its campaign's baseline.

Rates carry a Wilson 95% interval (right for small counts and rates near 0 or 1, unlike the
normal approximation); a publisher is judged only from `min_publisher_count` leads, so small
ones are not flagged on noise. "Flagged" means at least one strong finding; the payout at risk
is those leads' `publisherPayout`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

import duckdb
import pandas as pd

Z_95: Final = 1.959963984540054
Judgement = Literal["above baseline", "below baseline", "in line", "too few to judge"]


def wilson_interval(successes: int, total: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval of a proportion; (0, 1) when there is nothing to judge."""
    if total <= 0:
        return 0.0, 1.0
    share = successes / total
    denominator = 1 + z * z / total
    centre = (share + z * z / (2 * total)) / denominator
    half = z * math.sqrt(share * (1 - share) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def judge(successes: int, total: int, baseline: float, min_count: int) -> Judgement:
    if total < min_count:
        return "too few to judge"
    low, high = wilson_interval(successes, total)
    if low > baseline:
        return "above baseline"
    if high < baseline:
        return "below baseline"
    return "in line"


@dataclass(frozen=True)
class PublisherRow:
    campaign_id: int
    publisher_id: int | None
    sub_id: str | None
    """None for the publisher's row over all its sub-IDs."""
    leads: int
    valid: int
    caution: int
    invalid: int
    flagged: int
    payout_at_risk: float
    baseline_flagged: float
    baseline_invalid: float
    flagged_low: float
    flagged_high: float
    flagged_judgement: Judgement
    invalid_judgement: Judgement
    baseline_valid: float = 0.0
    baseline_caution: float = 0.0
    valid_judgement: Judgement = "too few to judge"
    caution_judgement: Judgement = "too few to judge"
    """A publisher whose Caution share stands out (numbers often unreachable, a failing
    check) costs the buyer review time before any lead is flagged."""

    @property
    def flagged_share(self) -> float:
        return self.flagged / self.leads if self.leads else 0.0

    def to_dict(self) -> dict[str, object]:
        def share(count: int) -> float:
            return round(count / self.leads, 4) if self.leads else 0.0

        return {
            "campaign_id": self.campaign_id,
            "publisher_id": self.publisher_id,
            "sub_id": self.sub_id,
            "leads": self.leads,
            "valid_share": share(self.valid),
            "caution_share": share(self.caution),
            "invalid_share": share(self.invalid),
            "flagged": self.flagged,
            "flagged_share": share(self.flagged),
            "flagged_interval": [round(self.flagged_low, 4), round(self.flagged_high, 4)],
            "baseline_flagged_share": round(self.baseline_flagged, 4),
            "baseline_invalid_share": round(self.baseline_invalid, 4),
            "baseline_valid_share": round(self.baseline_valid, 4),
            "baseline_caution_share": round(self.baseline_caution, 4),
            "flagged_judgement": self.flagged_judgement,
            "valid_judgement": self.valid_judgement,
            "caution_judgement": self.caution_judgement,
            "invalid_judgement": self.invalid_judgement,
            "payout_at_risk": round(self.payout_at_risk, 2),
        }


def publisher_scorecard(
    db: duckdb.DuckDBPyConnection, flagged_leads: set[int], min_count: int
) -> tuple[PublisherRow, ...]:
    """Rows per campaign and publisher, then per campaign, publisher and sub-ID."""
    flagged_frame = pd.DataFrame({"lead_id": sorted(flagged_leads)}, dtype="int64")
    db.register("flagged_leads", flagged_frame)
    try:
        rows = db.execute(
            """
            WITH l AS (
                SELECT leads.*, f.lead_id IS NOT NULL AS flagged
                FROM leads LEFT JOIN flagged_leads f USING (lead_id)
            ), base AS (
                SELECT campaign_id, avg(flagged::INT) AS flagged_rate,
                       avg((status = 'Invalid')::INT) AS invalid_rate,
                       avg((status = 'Valid')::INT) AS valid_rate,
                       avg((status = 'Caution')::INT) AS caution_rate
                FROM l GROUP BY campaign_id
            )
            SELECT l.campaign_id, publisher_id, sub_id, grouping(sub_id) AS whole,
                   count(*), count(*) FILTER (WHERE status = 'Valid'),
                   count(*) FILTER (WHERE status = 'Caution'),
                   count(*) FILTER (WHERE status = 'Invalid'),
                   count(*) FILTER (WHERE flagged),
                   coalesce(sum(publisher_payout) FILTER (WHERE flagged), 0),
                   any_value(base.flagged_rate), any_value(base.invalid_rate),
                   any_value(base.valid_rate), any_value(base.caution_rate)
            FROM l JOIN base USING (campaign_id)
            GROUP BY GROUPING SETS (
                (l.campaign_id, publisher_id), (l.campaign_id, publisher_id, sub_id)
            )
            ORDER BY 1, 2 NULLS LAST, whole DESC, 3 NULLS FIRST
            """
        ).fetchall()
    finally:
        db.unregister("flagged_leads")
    result = []
    for (
        campaign,
        publisher,
        sub_id,
        whole,
        leads,
        valid,
        caution,
        invalid,
        flagged,
        payout,
        base_flagged,
        base_invalid,
        base_valid,
        base_caution,
    ) in rows:
        low, high = wilson_interval(flagged, leads)
        result.append(
            PublisherRow(
                campaign_id=int(campaign),
                publisher_id=None if publisher is None else int(publisher),
                sub_id=None if whole else (sub_id if sub_id is not None else ""),
                leads=int(leads),
                valid=int(valid),
                caution=int(caution),
                invalid=int(invalid),
                flagged=int(flagged),
                payout_at_risk=float(payout),
                baseline_flagged=float(base_flagged),
                baseline_invalid=float(base_invalid),
                flagged_low=low,
                flagged_high=high,
                flagged_judgement=judge(flagged, leads, float(base_flagged), min_count),
                invalid_judgement=judge(invalid, leads, float(base_invalid), min_count),
                baseline_valid=float(base_valid),
                baseline_caution=float(base_caution),
                valid_judgement=judge(valid, leads, float(base_valid), min_count),
                caution_judgement=judge(caution, leads, float(base_caution), min_count),
            )
        )
    return tuple(result)
