"""Identity clusters: leads joined by labelled edges, as connected components.

Edges are deterministic and say why: the same email (hash), the same E.164 phone, the same
device fingerprint, the same IP within `cluster_ip_minutes`. Each key chains its leads in time
order (n - 1 edges, not n^2). An IP shared by many people over a long span (an office, a VPN
exit) never joins leads on its own, or everything would become one cluster.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import duckdb
import numpy as np
import numpy.typing as npt
import pandas as pd

from lib.audit.findings import duration, plural
from lib.audit.signals import AuditContext

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


def _components(
    first: npt.NDArray[np.int64], second: npt.NDArray[np.int64], size: int
) -> npt.NDArray[np.int64]:
    """Each of `size` nodes' component, as its smallest member, from the edges `first[i]` -
    `second[i]`: each edge hooks the larger root under the smaller, then every node jumps to
    its root, until no edge joins two roots (a few rounds, whatever the chains' length)."""
    parent = np.arange(size, dtype=np.int64)
    while True:
        a, b = parent[first], parent[second]
        apart = a != b
        if not apart.any():
            return parent
        a, b = a[apart], b[apart]
        np.minimum.at(parent, np.maximum(a, b), np.minimum(a, b))
        while True:
            jumped = parent[parent]
            if np.array_equal(jumped, parent):
                break
            parent = jumped


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
    ends = np.array([(edge.first, edge.second) for edge in edges], dtype=np.int64)
    leads, index = np.unique(ends, return_inverse=True)
    index = index.reshape(ends.shape)
    component = _components(index[:, 0], index[:, 1], len(leads))
    root_of = dict(zip(leads.tolist(), leads[component].tolist(), strict=True))
    edges_of: dict[int, list[ClusterEdge]] = {}
    for edge, root in zip(edges, leads[component[index[:, 0]]].tolist(), strict=True):
        edges_of.setdefault(root, []).append(edge)
    clusters = []
    for root, ids, every_campaign, devices, emails, span_us in _facts(db, root_of):
        campaigns = tuple(sorted(set(every_campaign)))
        parts = [plural(len(ids), "lead"), plural(len(campaigns), "campaign")]
        if devices:
            parts.append("one device" if devices == 1 else f"{devices} devices")
        if emails:
            parts.append("one email" if emails == 1 else f"{emails} emails")
        parts.append(duration(span_us / 1_000_000))
        labels = sorted({edge.label for edge in edges_of[root]})
        reason = ", ".join(parts) + f" (joined by {', '.join(labels)})"
        clusters.append(Cluster(tuple(ids), reason, tuple(edges_of[root]), campaigns))
    clusters.sort(key=lambda cluster: (-len(cluster.lead_ids), cluster.lead_ids[0]))
    return tuple(clusters)


def _facts(db: duckdb.DuckDBPyConnection, root_of: dict[int, int]) -> list[Any]:
    """Per cluster (its root): the members in time order, their campaigns, how many devices
    and emails (empty ones not counted) and the microseconds from the first to the last."""
    db.register(
        "cluster_members",
        pd.DataFrame({"lead_id": list(root_of), "root": list(root_of.values())}, dtype="int64"),
    )
    try:
        return db.execute(
            "SELECT root, list(lead_id ORDER BY created_ts, lead_id), list(campaign_id), "
            "count(DISTINCT nullif(fingerprint, '')), count(DISTINCT nullif(email_key, '')), "
            "date_diff('microsecond', min(created_ts), max(created_ts)) "
            "FROM leads JOIN cluster_members USING (lead_id) GROUP BY root"
        ).fetchall()
    finally:
        db.unregister("cluster_members")
