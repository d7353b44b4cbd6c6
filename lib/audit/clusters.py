"""Identity clusters: leads joined by labelled edges, as connected components (union-find).

Edges are deterministic and say why: the same email (hash), the same E.164 phone, the same
device fingerprint, the same IP within `cluster_ip_minutes`. Each key chains its leads in time
order (n - 1 edges, not n^2). An IP shared by many people over a long span (an office, a VPN
exit) never joins leads on its own, or everything would become one cluster.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any, Final

import duckdb
import pandas as pd

from lib.audit.findings import duration, plural
from lib.audit.signals import AuditContext

_by_time: Final = operator.itemgetter(1, 0)
"""A member's (created_ts, lead_id): the clusters list their leads in time order."""
EDGE_LABELS: Final = {
    "email_key": "same email",
    "phone_e164": "same phone",
    "fingerprint": "same device",
    "ip": "same IP",
}


@dataclass(frozen=True)
class ClusterEdge:
    first: int
    second: int
    label: str
    seconds: int

    @property
    def sentence(self) -> str:
        return f"{self.label} {duration(self.seconds)} apart"


@dataclass(frozen=True)
class Cluster:
    lead_ids: tuple[int, ...]
    reason: str
    edges: tuple[ClusterEdge, ...]
    campaigns: tuple[int, ...]

    def to_dict(self) -> dict[str, object]:
        return {"lead_ids": list(self.lead_ids), "reason": self.reason}


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, item: int) -> int:
        parent = self.parent
        root = parent.setdefault(item, item)
        while root != parent[root]:
            root = parent[root]
        while item != root:  # path compression
            parent[item], item = root, parent[item]
        return root

    def union(self, first: int, second: int) -> None:
        a, b = self.find(first), self.find(second)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def cluster_edges(db: duckdb.DuckDBPyConnection, context: AuditContext) -> list[ClusterEdge]:
    keys = ["email_key", "fingerprint"] + ([] if context.masked else ["phone_e164", "ip"])
    shared = set(context.shared_ips(db)) if "ip" in keys else set()
    edges: list[ClusterEdge] = []
    limit = int(context.settings.cluster_ip_minutes) * 60
    if shared:
        db.register("shared_ip_values", pd.DataFrame({"ip": sorted(shared)}, dtype="string"))
    try:
        for key in keys:
            # An IP joins only leads close in time, and never when shared by many people:
            # said in SQL, so the many far-apart pairs of a busy IP never reach Python.
            only = ""
            if key == "ip":
                only = f" AND gap <= {limit}"
                if shared:
                    only += " AND k NOT IN (SELECT ip FROM shared_ip_values)"
            rows = db.execute(
                f"SELECT prev_id, lead_id, gap FROM {context.source(key)} "
                f"WHERE prev_id IS NOT NULL{only}"
            ).fetchall()
            label = EDGE_LABELS[key]
            edges.extend(
                ClusterEdge(int(first), int(second), label, int(gap)) for first, second, gap in rows
            )
    finally:
        if shared:
            db.unregister("shared_ip_values")
    return edges


def identity_clusters(db: duckdb.DuckDBPyConnection, context: AuditContext) -> tuple[Cluster, ...]:
    """Connected components of at least two leads, largest first, each with its sentence."""
    edges = cluster_edges(db, context)
    if not edges:
        return ()
    forest = _UnionFind()
    for edge in edges:
        forest.union(edge.first, edge.second)
    # Each lead's root found once; the edges then look theirs up.
    root_of = {lead: forest.find(lead) for lead in forest.parent}
    members: dict[int, list[int]] = {}
    for lead, root in root_of.items():
        members.setdefault(root, []).append(lead)
    edges_of: dict[int, list[ClusterEdge]] = {}
    for edge in edges:
        edges_of.setdefault(root_of[edge.first], []).append(edge)
    facts = _facts(db, [lead for group in members.values() for lead in group])
    clusters = []
    for root, leads in members.items():
        rows = sorted((facts[lead] for lead in leads), key=_by_time)
        ids = tuple(int(row[0]) for row in rows)
        campaigns = tuple(sorted({int(row[2]) for row in rows}))
        devices = len({row[3] for row in rows if row[3]})
        emails = len({row[4] for row in rows if row[4]})
        span = (rows[-1][1] - rows[0][1]).total_seconds()
        parts = [plural(len(ids), "lead"), plural(len(campaigns), "campaign")]
        if devices:
            parts.append("one device" if devices == 1 else f"{devices} devices")
        if emails:
            parts.append("one email" if emails == 1 else f"{emails} emails")
        parts.append(duration(span))
        labels = sorted({edge.label for edge in edges_of[root]})
        reason = ", ".join(parts) + f" (joined by {', '.join(labels)})"
        clusters.append(Cluster(ids, reason, tuple(edges_of[root]), campaigns))
    clusters.sort(key=lambda cluster: (-len(cluster.lead_ids), cluster.lead_ids[0]))
    return tuple(clusters)


def _facts(db: duckdb.DuckDBPyConnection, lead_ids: list[int]) -> dict[int, tuple[Any, ...]]:
    db.register("cluster_members", pd.DataFrame({"lead_id": lead_ids}))
    try:
        rows = db.execute(
            "SELECT lead_id, created_ts, campaign_id, fingerprint, email_key "
            "FROM leads JOIN cluster_members USING (lead_id)"
        ).fetchall()
    finally:
        db.unregister("cluster_members")
    return {int(row[0]): row for row in rows}
