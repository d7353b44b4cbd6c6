"""The audit's findings, identity clusters and publisher scorecard as tables (one row per
finding and lead, per cluster, per publisher): what the Audit page shows and the report's CSV
and Parquet files hold."""

from __future__ import annotations

import pandas as pd

from lib.audit.run import AuditResult


def findings_frame(result: AuditResult) -> pd.DataFrame:
    """One row per finding and lead: what the auditor filters, sorts and opens."""
    rows = [
        {
            "finding": number,
            "signal": finding.signal,
            "strength": finding.strength,
            "new": finding.new,
            "lead_id": lead,
            "leads_in_finding": len(finding.lead_ids),
            "reason": finding.reason,
        }
        for number, finding in enumerate(result.findings, start=1)
        for lead in finding.lead_ids
    ]
    columns = ["finding", "signal", "strength", "new", "lead_id", "leads_in_finding", "reason"]
    return pd.DataFrame(rows, columns=columns)


def clusters_frame(result: AuditResult) -> pd.DataFrame:
    rows = [
        {
            "cluster": number,
            "leads": len(cluster.lead_ids),
            "campaigns": ", ".join(str(c) for c in cluster.campaigns),
            "lead_ids": " ".join(str(lead) for lead in cluster.lead_ids),
            "reason": cluster.reason,
            "edges": "; ".join(
                f"{edge.first}-{edge.second} {edge.sentence}" for edge in cluster.edges
            ),
        }
        for number, cluster in enumerate(result.clusters, start=1)
    ]
    return pd.DataFrame(
        rows, columns=["cluster", "leads", "campaigns", "lead_ids", "reason", "edges"]
    )


def publishers_frame(result: AuditResult) -> pd.DataFrame:
    return pd.DataFrame([row.to_dict() for row in result.publishers])
