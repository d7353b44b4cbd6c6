"""Planted leads for the audit's pure tests: a clean crowd, then the stories each test adds."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import duckdb
import pandas as pd

from lib.audit.records import lead_frame, lead_row
from lib.convertr.models import Lead

FIRST_NAMES = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Katherine")
LAST_NAMES = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton")
COMPANIES = ("Analytical Engines", "Harvard Mark", "Bletchley Works", "Mathematisch Centrum")
START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


class Planter:
    """Makes Lead models (through the real model and `lead_row`), one id after another."""

    def __init__(self) -> None:
        self.next_id = 1000
        self.leads: list[Lead] = []

    def lead(self, at: dt.datetime = START, **fields: Any) -> int:
        self.next_id += 1
        lead_id = self.next_id
        data = fields.pop("lead_data", {})
        body: dict[str, Any] = {
            "@id": f"/api/v4/leads/{lead_id}",
            "id": lead_id,
            "campaign": f"/api/v4/campaigns/{fields.pop('campaign', 1)}",
            "publisher": f"/api/v4/publishers/{fields.pop('publisher', 7)}",
            "processrStatus": fields.pop("status", "Valid"),
            "score": 100,
            "maxScore": 100,
            "createdTs": at.isoformat(),
            "firstName": FIRST_NAMES[lead_id % len(FIRST_NAMES)],
            "lastName": LAST_NAMES[lead_id % len(LAST_NAMES)],
            "company": COMPANIES[lead_id % len(COMPANIES)],
            "jobTitle": "Head of Data",
            "email": f"person{lead_id}@example-corp.com",
            "country": "United Kingdom",
            "ip": f"81.2.69.{lead_id % 250 + 1}",
            "fingerprint": f"fp-{lead_id}",
            "publisherPayout": "10.00",
            "leadData": [{"name": name, "value": value} for name, value in data.items()],
        }
        body["telephone"] = f"+44 20 7946 {lead_id % 10000:04d}"
        for name, value in fields.items():
            body[_camel(name)] = value
        self.leads.append(Lead.model_validate(body))
        return lead_id

    def crowd(self, count: int, *, seed: int = 7, **fields: Any) -> list[int]:
        """`count` ordinary leads arriving as people do (random gaps of minutes to hours)."""
        rng = random.Random(seed)
        moment = START
        ids = []
        for _ in range(count):
            moment += dt.timedelta(seconds=rng.expovariate(1 / 5400))
            ids.append(self.lead(moment, **fields))
        return ids

    def frame(self) -> pd.DataFrame:
        return lead_frame(lead_row(lead) for lead in self.leads)

    def db(self) -> duckdb.DuckDBPyConnection:
        connection = duckdb.connect()
        frame = self.frame()
        connection.register("planted", frame)
        connection.execute("CREATE TABLE leads AS SELECT * FROM planted")
        connection.unregister("planted")
        return connection


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def seconds(value: float) -> dt.timedelta:
    return dt.timedelta(seconds=value)
