"""The lead factory's tables and parts, checked without seeding (lib/sandbox/leads.py etc.)."""

from __future__ import annotations

import sqlite3
from dataclasses import fields

from lib.sandbox.db import SCHEMA
from lib.sandbox.demo import (
    BRITEVERIFY_STATUSES,
    CAMPAIGNS,
    JOB_BEHAVIOURS,
    NEVERBOUNCE_RESULTS,
    campaign_jobs,
)
from lib.sandbox.lead_parts import LeadRow


def test_every_campaign_job_has_a_behaviour_with_odds_that_add_up() -> None:
    for spec in CAMPAIGNS:
        for job in campaign_jobs(spec):
            behaviour = JOB_BEHAVIOURS[job.job_id]
            assert 0.0 <= behaviour.fail_rate < 1.0, job.name
            assert 0.0 <= behaviour.found_rate < 1.0, job.name
            if behaviour.runs == "check":
                assert behaviour.fail_rate > 0 and behaviour.failure, job.name
    for bounds in (BRITEVERIFY_STATUSES, NEVERBOUNCE_RESULTS):
        cumulative = [bound for _outcome, bound in bounds]
        # Increasing and below 1, so every outcome and the "otherwise" one can happen.
        assert cumulative == sorted(set(cumulative)) and cumulative[0] > 0
        assert cumulative[-1] < 1


def test_the_lead_row_has_exactly_the_leads_table_columns() -> None:
    connection = sqlite3.connect(":memory:")
    connection.executescript(SCHEMA)
    columns = [row[1] for row in connection.execute("PRAGMA table_info(leads)")]
    connection.close()
    # Every column filled (none left to a default), and no field without a column.
    assert sorted(field.name for field in fields(LeadRow)) == sorted(columns)
