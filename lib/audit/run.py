"""An audit run: every signal, the clusters and the scorecard over a window of the snapshot,
and which findings are new since the previous run of the same audit."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from lib.audit.clusters import Cluster, identity_clusters
from lib.audit.findings import Finding, SignalOutcome
from lib.audit.scorecard import PublisherRow, publisher_scorecard
from lib.audit.settings import SIGNALS, AuditSettings
from lib.audit.signals import (
    KEYS,
    MASKED_KEYS,
    SIGNAL_FUNCTIONS,
    AuditContext,
    drop_keyed,
    make_keyed,
    read_arrivals,
    shared_ips,
)
from lib.audit.snapshot import Snapshot


@dataclass(frozen=True)
class AuditScope:
    """Which leads an audit covers: campaigns and a capture window (dates, inclusive)."""

    campaigns: tuple[int, ...]
    window_from: dt.date
    window_to: dt.date

    @property
    def run_key(self) -> str:
        """The same audit = the same campaigns (a later window is the same audit, re-run)."""
        campaigns = ",".join(str(c) for c in sorted(set(self.campaigns)))
        return hashlib.sha256(campaigns.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class AuditResult:
    scope: AuditScope
    settings: AuditSettings
    leads: int
    outcomes: tuple[SignalOutcome, ...]
    clusters: tuple[Cluster, ...]
    publishers: tuple[PublisherRow, ...]
    compared_with_previous: bool
    """Whether a previous run existed (else nothing is marked new)."""
    flagged_by_publisher: Mapping[tuple[int, int | None], tuple[int, ...]] = field(
        default_factory=dict
    )
    """Leads with any finding, by campaign and publisher (a funnel point opens these)."""

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(finding for outcome in self.outcomes for finding in outcome.findings)

    @property
    def skipped(self) -> tuple[SignalOutcome, ...]:
        return tuple(outcome for outcome in self.outcomes if outcome.skipped)

    def flagged_leads(self, strength: str = "strong") -> set[int]:
        return {
            lead
            for finding in self.findings
            if strength == "any" or finding.strength == strength
            for lead in finding.lead_ids
        }

    def flag_pairs(self) -> set[tuple[str, int]]:
        return {(f.signal, lead) for f in self.findings for lead in f.lead_ids}

    def payout_at_risk(self) -> float:
        return sum(row.payout_at_risk for row in self.publishers if row.sub_id is None)

    def to_json_dict(self) -> dict[str, object]:
        """The CLI's `--json` object (issue 19's shape)."""
        return {
            "campaigns": list(self.scope.campaigns),
            "window": {
                "from": self.scope.window_from.isoformat(),
                "to": self.scope.window_to.isoformat(),
            },
            "leads": self.leads,
            "findings": [finding.to_dict() for finding in self.findings],
            "clusters": [cluster.to_dict() for cluster in self.clusters],
            "publishers": [row.to_dict() for row in self.publishers],
        }

    def settings_json(self) -> str:
        return json.dumps(self.settings.to_dict(), indent=2, sort_keys=True)


def scope_view(db: duckdb.DuckDBPyConnection, scope: AuditScope) -> None:
    """`leads`: the snapshot's leads of the scope, as a temporary view on this cursor."""
    campaigns = ", ".join(str(int(c)) for c in scope.campaigns) or "NULL"
    end = scope.window_to + dt.timedelta(days=1)
    db.execute(
        f"CREATE OR REPLACE TEMP VIEW leads AS SELECT * FROM snapshot_leads "
        f"WHERE campaign_id IN ({campaigns}) "
        f"AND created_ts >= DATE '{scope.window_from.isoformat()}' "
        f"AND created_ts < DATE '{end.isoformat()}'"
    )


def analyse(
    db: duckdb.DuckDBPyConnection,
    scope: AuditScope,
    context: AuditContext,
    previous: set[tuple[str, int]] | None = None,
    signals: Sequence[str] = SIGNALS,
) -> AuditResult:
    """Every signal over `leads` (already scoped), the clusters and the scorecard; a finding
    is new when one of its (signal, lead) pairs was not in `previous`."""
    keys = tuple(key for key in KEYS if not context.masked or key not in MASKED_KEYS)
    keyed = make_keyed(db, tuple(key for key in keys if key not in context.keyed))
    try:
        return _analyse(
            db, scope, dataclasses.replace(context, keyed=context.keyed | keyed), previous, signals
        )
    finally:
        drop_keyed(db, keyed)


def _analyse(
    db: duckdb.DuckDBPyConnection,
    scope: AuditScope,
    context: AuditContext,
    previous: set[tuple[str, int]] | None,
    signals: Sequence[str],
) -> AuditResult:
    count_row = db.execute("SELECT count(*) FROM leads").fetchone()
    if not context.masked and context.shared is None:
        # Worked out once for IP velocity and the clusters.
        context = dataclasses.replace(context, shared=shared_ips(db, context.settings, context))
    if context.arrivals is None and {"machine_cadence", "off_hours"} & set(signals):
        # Read once for both.
        context = dataclasses.replace(context, arrivals=read_arrivals(db))
    outcomes = []
    for name in signals:
        outcome = SIGNAL_FUNCTIONS[name](db, context)
        if previous is not None:
            outcome = dataclasses.replace(
                outcome,
                findings=tuple(
                    dataclasses.replace(
                        finding,
                        new=any(
                            (finding.signal, lead) not in previous for lead in finding.lead_ids
                        ),
                    )
                    for finding in outcome.findings
                ),
            )
        outcomes.append(outcome)
    clusters = identity_clusters(db, context)
    flagged = {
        lead
        for outcome in outcomes
        for finding in outcome.findings
        if finding.strength == "strong"
        for lead in finding.lead_ids
    }
    publishers = publisher_scorecard(db, flagged, context.settings.min_publisher_count)
    flagged_any = sorted({lead for o in outcomes for f in o.findings for lead in f.lead_ids})
    db.register("flagged_any", pd.DataFrame({"lead_id": flagged_any}, dtype="int64"))
    try:
        by_publisher = {
            (int(campaign), None if publisher is None else int(publisher)): tuple(ids)
            for campaign, publisher, ids in db.execute(
                "SELECT campaign_id, publisher_id, list(lead_id ORDER BY created_ts, lead_id) "
                "FROM leads JOIN flagged_any USING (lead_id) GROUP BY ALL"
            ).fetchall()
        }
    finally:
        db.unregister("flagged_any")
    return AuditResult(
        scope=scope,
        settings=context.settings,
        leads=int(count_row[0]) if count_row else 0,
        outcomes=tuple(outcomes),
        clusters=clusters,
        publishers=publishers,
        compared_with_previous=previous is not None,
        flagged_by_publisher=by_publisher,
    )


def run_audit(
    snapshot: Snapshot,
    scope: AuditScope,
    settings: AuditSettings,
    *,
    now: dt.datetime,
    remember: bool = True,
) -> AuditResult:
    """Audit the snapshot's leads of `scope`; remember the flags for the next run's "new"."""
    context = AuditContext(settings, masked=snapshot.masked)
    previous = snapshot.previous_flags(scope.run_key)
    with snapshot.cursor() as db:
        scope_view(db, scope)
        result = analyse(db, scope, context, previous)
    if remember:
        snapshot.record_run(
            scope.run_key, now.replace(tzinfo=None), result.flag_pairs(), result.findings
        )
    return result


def arrivals(snapshot: Snapshot, scope: AuditScope) -> list[tuple[int, int, int]]:
    """Leads by weekday (0 = Monday) and hour, in each lead's local time where it is known
    (UTC otherwise): (weekday, hour, leads)."""
    with snapshot.cursor() as db:
        scope_view(db, scope)
        rows = db.execute(
            "SELECT isodow(coalesce(local_ts, created_ts)) - 1, hour(coalesce(local_ts, "
            "created_ts)), count(*) FROM leads GROUP BY ALL ORDER BY 1, 2"
        ).fetchall()
    return [(int(day), int(hour), int(count)) for day, hour, count in rows]


def lead_facts(snapshot: Snapshot, scope: AuditScope, lead_ids: Sequence[int]) -> pd.DataFrame:
    """What the page shows of some leads (a cluster's members, a publisher's flagged leads):
    no personal value, only ids, times, status, publisher and payout."""
    with snapshot.cursor() as db:
        scope_view(db, scope)
        db.register("wanted", pd.DataFrame({"lead_id": list(lead_ids)}, dtype="int64"))
        frame = db.execute(
            "SELECT lead_id, campaign_id, publisher_id, sub_id, created_ts, status, "
            "publisher_payout FROM leads JOIN wanted USING (lead_id) ORDER BY created_ts, lead_id"
        ).df()
    return frame
