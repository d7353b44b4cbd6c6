"""The seeded demo data is internally consistent, deterministic, and the CLI works."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from lib.sandbox import DEFAULT_DB_PATH, default_db_path, ensure_database, seed_database
from lib.sandbox import __main__ as sandbox_cli
from lib.sandbox.db import PROJECT_ROOT
from lib.sandbox.demo import (
    FIRST_LEAD_ID,
    HOSTILE_VALUES,
    SCATTERED_HOSTILE_AT,
    SCATTERED_HOSTILE_EVERY,
    SHOWCASE_CAUTION_LEAD_ID,
    SHOWCASE_DELIVERED_LEAD_ID,
    SHOWCASE_HOSTILE_LEAD_ID,
)
from lib.sandbox.processr import status_for
from tests.support.sandbox import SANDBOX_LEADS


@pytest.fixture
def db(sandbox_db: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(f"file:{sandbox_db}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    yield connection
    connection.close()


def test_statistics_are_the_counts_of_the_leads(db: sqlite3.Connection) -> None:
    for stat in db.execute("SELECT * FROM statistics"):
        leads = db.execute(
            "SELECT processr_status, delivered, advertiser_billable, over_allocated"
            " FROM leads WHERE campaign_id = ?",
            (stat["campaign_id"],),
        ).fetchall()
        statuses = Counter(lead["processr_status"] for lead in leads)
        assert stat["total"] == len(leads)
        assert stat["valid"] == statuses["Valid"]
        assert stat["invalid"] == statuses["Invalid"]
        assert stat["caution"] == statuses["Caution"]
        assert stat["test"] == statuses["Test"]
        assert stat["delivered"] == sum(lead["delivered"] for lead in leads)
        assert stat["billable"] == sum(lead["advertiser_billable"] for lead in leads)
        assert stat["over_allocated"] == sum(lead["over_allocated"] for lead in leads)
    assert db.execute("SELECT SUM(total) FROM statistics").fetchone()[0] == SANDBOX_LEADS


def test_chronologies_sum_to_the_statistics(db: sqlite3.Connection) -> None:
    sums = db.execute(
        "SELECT campaign_id, SUM(total), SUM(valid), SUM(invalid), SUM(caution), SUM(test),"
        " SUM(delivered) FROM lead_statistics_chronologies GROUP BY campaign_id"
    ).fetchall()
    assert sums
    for row in sums:
        stat = db.execute(
            "SELECT total, valid, invalid, caution, test, delivered FROM statistics"
            " WHERE campaign_id = ?",
            (row[0],),
        ).fetchone()
        assert tuple(row)[1:] == tuple(stat)
    assert (
        db.execute("SELECT COUNT(*) FROM lead_statistics_chronologies WHERE total = 0").fetchone()[
            0
        ]
        == 0
    )


def test_status_and_score_follow_the_job_results(db: sqlite3.Connection) -> None:
    jobs = {row["id"]: row for row in db.execute("SELECT * FROM campaign_processr_jobs")}
    campaigns = {row["id"]: row for row in db.execute("SELECT * FROM campaigns")}
    results: dict[int, list[sqlite3.Row]] = {}
    for row in db.execute("SELECT * FROM processr_job_leads"):
        results.setdefault(row["lead_id"], []).append(row)
    seen = Counter[str]()
    for lead in db.execute("SELECT * FROM leads"):
        mine = results[lead["id"]]
        assert lead["score"] == sum(r["score"] for r in mine)
        assert lead["max_score"] == campaigns[lead["campaign_id"]]["max_score"]
        for result in mine:
            job = jobs[result["campaign_processr_job_id"]]
            assert job["campaign_id"] == lead["campaign_id"]
            assert result["score"] == (job["max_score"] if result["result"] == "passed" else 0)
            assert result["created_ts"] > lead["created_ts"]
        test_data = any(
            jobs[r["campaign_processr_job_id"]]["job_id"] == 1003 and r["result"] == "failed"
            for r in mine
        )
        hardfailed = any(
            jobs[r["campaign_processr_job_id"]]["hardfail"] and r["result"] == "failed"
            for r in mine
        )
        assert bool(lead["hardfail"]) == hardfailed
        expected = status_for(test_data=test_data, hardfailed=hardfailed, score=lead["score"],
                              max_score=lead["max_score"])  # fmt: skip
        assert lead["processr_status"] == expected
        seen[expected] += 1
        ran_integration = any(jobs[r["campaign_processr_job_id"]]["category"] == "integration"
                              for r in mine)  # fmt: skip
        if lead["processr_status"] in {"Invalid", "Caution"}:
            assert not ran_integration
    assert set(seen) == {"Valid", "Invalid", "Caution", "Test"}
    for campaign in campaigns.values():
        scoring = sum(j["max_score"] for j in jobs.values() if j["campaign_id"] == campaign["id"])
        assert campaign["max_score"] == scoring


def test_delivered_and_billable_rules(db: sqlite3.Connection) -> None:
    for lead in db.execute("SELECT * FROM leads"):
        if lead["delivered"]:
            assert lead["processr_status"] in {"Valid", "Test"}
            assert lead["first_delivered_ts"] > lead["created_ts"]
        else:
            assert lead["first_delivered_ts"] is None
        billable = lead["processr_status"] == "Valid" and bool(lead["delivered"])
        assert bool(lead["advertiser_billable"]) == billable
        assert bool(lead["publisher_billable"]) == billable
        if lead["over_allocated"]:
            assert not lead["delivered"]


def test_email_domain_only_when_an_email_was_captured(db: sqlite3.Connection) -> None:
    rows = db.execute(
        "SELECT l.email, d.value FROM leads l LEFT JOIN lead_datas d"
        " ON d.lead_id = l.id AND d.name = 'emailDomain'"
    ).fetchall()
    without_email = [row for row in rows if row["email"] is None]
    assert without_email, "the demo data should include leads without an email"
    for email, domain in rows:
        assert (domain is None) == (email is None)
        if email:
            assert domain == "@" + email.split("@")[1]
    neverbounce = db.execute(
        "SELECT COUNT(*) FROM lead_datas WHERE name = 'neverbounce.result'"
        " AND provider = 'NeverBounce' AND source = 'enrichment'"
    ).fetchone()[0]
    assert neverbounce > 0


def test_logs_are_in_time_order_after_creation(db: sqlite3.Connection) -> None:
    for lead_id, created in db.execute("SELECT id, created_ts FROM leads LIMIT 60"):
        stamps = [r[0] for r in db.execute(
            "SELECT created_ts FROM logs WHERE lead_id = ? ORDER BY id", (lead_id,))]  # fmt: skip
        assert stamps == sorted(stamps) and stamps[0] >= created
    for raw in db.execute("SELECT message FROM logs WHERE provider = 'NeverBounce' LIMIT 20"):
        message = json.loads(raw[0])
        assert message["status"] == "success" and "execution_time" in message


def test_contract_counts_and_link_funnels(db: sqlite3.Connection) -> None:
    for contract in db.execute("SELECT * FROM campaign_publishers"):
        row = db.execute(
            "SELECT COUNT(*), COALESCE(SUM(publisher_billable), 0) FROM leads"
            " WHERE campaign_id = ? AND publisher_id = ?",
            (contract["campaign_id"], contract["publisher_id"]),
        ).fetchone()
        assert (contract["total"], contract["billable"]) == tuple(row)
        if contract["contract_type"] == "Fixed":
            campaign = db.execute(
                "SELECT capped FROM campaigns WHERE id = ?", (contract["campaign_id"],)
            ).fetchone()
            assert not campaign["capped"]
            assert contract["earnings"] == contract["contract_value"]
        else:
            expected = f"{float(contract['payout']) * contract['billable']:.2f}"
            assert contract["earnings"] == expected
    for link in db.execute("SELECT * FROM campaign_links"):
        assert link["impressions"] >= link["clicks"] >= link["conversions"] >= 0
        assert link["url"].startswith("https://trk.cvtr.io/click?lid=")


def test_showcase_leads_are_as_documented(client: httpx.Client, db: sqlite3.Connection) -> None:
    caution = db.execute("SELECT * FROM leads WHERE id = ?", (SHOWCASE_CAUTION_LEAD_ID,)).fetchone()
    assert (caution["campaign_id"], caution["processr_status"], caution["delivered"]) == (
        1, "Caution", 0)  # fmt: skip
    assert caution["latitude"] is not None
    rows = db.execute(
        "SELECT name, source FROM lead_datas WHERE lead_id = ?", (SHOWCASE_CAUTION_LEAD_ID,)
    )
    names = {r[0]: r[1] for r in rows}
    assert {"fullcontact.photo", "fullcontact.linkedin", "fullcontact.twitter"} <= set(names)
    assert names["country"] == "transform" and names["jobTitle"] == "transform"
    other_campaigns = db.execute(
        "SELECT COUNT(DISTINCT campaign_id) FROM leads WHERE email = ? AND campaign_id != 1",
        (caution["email"],),
    ).fetchone()[0]
    assert other_campaigns >= 3
    providers = {r[0] for r in db.execute(
        "SELECT provider FROM logs WHERE lead_id = ? AND type = 'provider'",
        (SHOWCASE_CAUTION_LEAD_ID,))}  # fmt: skip
    assert providers == {"BriteVerify", "NeverBounce", "Full Contact"}
    photo = db.execute("SELECT value FROM lead_datas WHERE lead_id = ? AND name = ?",
                       (SHOWCASE_CAUTION_LEAD_ID, "fullcontact.photo")).fetchone()[0]  # fmt: skip
    assert photo.startswith("data:image/svg+xml;base64,")
    hostile = db.execute("SELECT * FROM leads WHERE id = ?", (SHOWCASE_HOSTILE_LEAD_ID,)).fetchone()
    assert hostile["campaign_id"] == 1 and hostile["first_name"].startswith("<script>")
    delivered = db.execute(
        "SELECT * FROM leads WHERE id = ?", (SHOWCASE_DELIVERED_LEAD_ID,)
    ).fetchone()
    assert (delivered["processr_status"], delivered["delivered"]) == ("Valid", 1)
    scattered = db.execute(
        "SELECT d.lead_id, d.value, l.first_name FROM lead_datas d JOIN leads l"
        " ON l.id = d.lead_id WHERE d.name = 'comments' AND d.lead_id > ? ORDER BY d.lead_id",
        (SHOWCASE_DELIVERED_LEAD_ID,),
    ).fetchall()
    # Lead number n (from 0) carries a hostile value when n % EVERY == AT: in the test sandbox
    # that is each such n below SANDBOX_LEADS, its comment and first name the same value.
    expected = [
        (FIRST_LEAD_ID + n, value, value)
        for n in range(SCATTERED_HOSTILE_AT, SANDBOX_LEADS, SCATTERED_HOSTILE_EVERY)
        for value in [HOSTILE_VALUES[(n // SCATTERED_HOSTILE_EVERY) % len(HOSTILE_VALUES)]]
    ]
    assert expected, "the test sandbox is big enough to hold a scattered hostile lead"
    assert [tuple(row) for row in scattered] == expected


def test_seed_is_deterministic(tmp_path: Path) -> None:
    key = bytes(32)
    first = seed_database(tmp_path / "a.sqlite", leads=60, seed=3, email_hash_key=key)
    second = seed_database(tmp_path / "b.sqlite", leads=60, seed=3, email_hash_key=key)
    other = seed_database(tmp_path / "c.sqlite", leads=60, seed=4, email_hash_key=key)
    assert first.leads == second.leads == 60

    def dump(path: Path) -> list[tuple[object, ...]]:
        connection = sqlite3.connect(path)
        try:
            return [tuple(r) for r in connection.execute("SELECT * FROM leads ORDER BY id")]
        finally:
            connection.close()

    assert dump(first.db_path) == dump(second.db_path)
    assert dump(first.db_path) != dump(other.db_path)


def test_reseeding_replaces_the_file_and_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "demo.sqlite"
    seed_database(target, leads=20)
    report = seed_database(target, leads=30)
    assert report.leads == 30
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.sqlite"]
    connection = sqlite3.connect(target)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection.close()


def test_ensure_database_seeds_only_when_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "nested" / "sandbox.sqlite"
    monkeypatch.setattr("lib.sandbox.seed.DEFAULT_LEADS", 25)
    calls: list[Path] = []
    real_seed = seed_database

    def counting_seed(path: Path) -> object:
        calls.append(path)
        return real_seed(path, leads=25)

    monkeypatch.setattr("lib.sandbox.seed.seed_database", counting_seed)
    assert ensure_database(target) == target
    assert ensure_database(target) == target
    assert calls == [target]
    assert target.exists()


def test_default_db_path_and_env_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEADLENS_SANDBOX_DB", raising=False)
    assert default_db_path() == PROJECT_ROOT / ".data" / "sandbox.sqlite"
    assert DEFAULT_DB_PATH.name == "sandbox.sqlite"
    monkeypatch.setenv("LEADLENS_SANDBOX_DB", "/somewhere/else.sqlite")
    assert default_db_path() == Path("/somewhere/else.sqlite")


@pytest.mark.slow
def test_seed_cli_prints_counts_time_and_memory(tmp_path: Path) -> None:
    target = tmp_path / "cli.sqlite"
    completed = subprocess.run(
        [sys.executable, "-m", "lib.sandbox", "seed", "--db", str(target), "--leads", "30",
         "--seed", "5"],
        capture_output=True, text=True, check=True, cwd=PROJECT_ROOT, timeout=120,
    )  # fmt: skip
    assert "leads=30" in completed.stdout
    assert "elapsed=" in completed.stdout and "peak_rss=" in completed.stdout
    assert target.exists()
    bad = subprocess.run(
        [sys.executable, "-m", "lib.sandbox", "seed", "--leads", "many"],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60,
    )  # fmt: skip
    assert bad.returncode == 2 and "invalid int value" in bad.stderr


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["seed", "--leads", "-3"], "expected a non-negative number of leads, got -3"),
        (["serve", "--fail-rate", "2"], "expected a fail rate between 0 and 1, got 2.0"),
        (["serve", "--latency-ms", "-5"], "expected a non-negative latency, got -5"),
    ],
)
def test_bad_cli_values_end_in_one_line(
    argv: list[str], said: str, sandbox_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = sandbox_db if argv[0] == "serve" else tmp_path / "never.sqlite"
    assert sandbox_cli.main([*argv, "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert err == f"python -m lib.sandbox {argv[0]}: error: {said}\n"


@pytest.mark.slow
def test_serving_on_a_busy_port_is_one_line(sandbox_db: Path) -> None:
    # A subprocess: waitress leaves its half-made sockets open when the bind fails.
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        completed = subprocess.run(
            [sys.executable, "-m", "lib.sandbox", "serve", "--port", str(port),
             "--db", str(sandbox_db)],
            capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60,
        )  # fmt: skip
    assert completed.returncode == 1
    assert completed.stderr.startswith("python -m lib.sandbox serve: error: ")
    assert completed.stderr.count("\n") == 1 and "Traceback" not in completed.stderr


def test_racing_ensure_database_calls_seed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "raced.sqlite"
    calls: list[int] = []
    real_seed = seed_database
    start = threading.Barrier(4)

    def slow_counting_seed(path: Path) -> object:
        calls.append(threading.get_ident())
        return real_seed(path, leads=40)

    monkeypatch.setattr("lib.sandbox.seed.seed_database", slow_counting_seed)

    def racer() -> None:
        start.wait()
        ensure_database(target)

    threads = [threading.Thread(target=racer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1
    connection = sqlite3.connect(target)
    assert connection.execute("SELECT COUNT(*) FROM leads").fetchone()[0] == 40
    connection.close()


def test_avatar_of_a_hostile_name_is_valid_svg() -> None:
    import base64
    from xml.etree import ElementTree

    from lib.sandbox.processr import avatar_data_uri

    uri = avatar_data_uri("<script>", "&lt;img", "#123456")
    svg = base64.b64decode(uri.split(",", 1)[1]).decode()
    text = ElementTree.fromstring(svg).find("{http://www.w3.org/2000/svg}text")
    assert text is not None and text.text == "<&"


def test_checking_the_database_imports_no_seeding_machinery(sandbox_db: Path) -> None:
    """A server only checks that the demo database exists: Faker and the lead factory (a
    tenth of a second) are imported only to seed one."""
    code = (
        "import sys; from lib.sandbox import ensure_database, shared_app; "
        f"shared_app(ensure_database({str(sandbox_db)!r})); "
        "print(sorted(m for m in ('faker', 'lib.sandbox.leads') if m in sys.modules))"
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT_ROOT
    ).stdout.strip()
    assert shown == "[]"


def test_every_in_process_client_of_one_database_shares_one_app(
    writable_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each dashboard visitor has a client: none of them sets up an app of its own."""
    from lib.connect import connect, sandbox_at, sandbox_config
    from lib.sandbox import app as sandbox_app

    made: list[Path] = []
    create = sandbox_app.create_app

    def counted(db_path: Any, **options: Any) -> Any:
        made.append(Path(db_path))
        return create(db_path, **options)

    monkeypatch.setattr(sandbox_app, "create_app", counted)
    users = ("analyst@sandbox.test", "viewer@sandbox.test", "masked@sandbox.test")
    clients = [
        connect(sandbox_config(user), transport_factory=sandbox_at(writable_db)) for user in users
    ]
    assert [client.current_user().email for client in clients] == list(users)
    assert len(made) == 1, "one app for the database"


def test_causes_come_before_effects_for_every_lead(sandbox_db: Path) -> None:
    # An auditor reads the stamps: no enrichment before its provider answered, no transform
    # before its job ran, nothing before the lead was captured.
    connection = sqlite3.connect(sandbox_db)
    try:
        early_enrichment = connection.execute(
            "SELECT d.lead_id, d.name, d.created_ts, MIN(l.created_ts) FROM lead_datas d"
            " JOIN logs l ON l.lead_id = d.lead_id AND l.type = 'provider'"
            " AND l.provider = d.provider"
            " WHERE d.source = 'enrichment' GROUP BY d.id HAVING d.created_ts < MIN(l.created_ts)"
        ).fetchall()
        unanswered = connection.execute(
            "SELECT d.lead_id, d.name FROM lead_datas d WHERE d.source = 'enrichment' AND NOT"
            " EXISTS (SELECT 1 FROM logs l WHERE l.lead_id = d.lead_id AND l.type = 'provider'"
            " AND l.provider = d.provider AND l.created_ts <= d.created_ts)"
        ).fetchall()
        early_transform = connection.execute(
            "SELECT d.lead_id, d.name FROM lead_datas d WHERE d.source = 'transform' AND NOT"
            " EXISTS (SELECT 1 FROM processr_job_leads r WHERE r.lead_id = d.lead_id"
            " AND r.created_ts <= d.created_ts AND r.message LIKE '%transform%')"
        ).fetchall()
        before_capture = connection.execute(
            "SELECT d.lead_id, d.name FROM lead_datas d JOIN leads l ON l.id = d.lead_id"
            " WHERE d.created_ts < l.created_ts"
        ).fetchall()
        leads = connection.execute("SELECT COUNT(*) FROM leads").fetchone()[0]
    finally:
        connection.close()
    assert leads > 0
    assert early_enrichment == [] and unanswered == []
    assert early_transform == [] and before_capture == []
