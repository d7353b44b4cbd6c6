"""Every signal of the audit: a pure function of the `leads` table and the settings.

Each takes a DuckDB connection holding a `leads` table (the snapshot, or a test's planted
frame) and returns a `SignalOutcome`: findings with a plain sentence and a strength, or why the
signal could not run (a masked role cannot compare phones or IPs). "Within" a span includes
the span itself: two posts exactly 30 s apart are a rapid post.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import duckdb

from lib.audit.findings import Finding, SignalOutcome, Strength, duration, plural, stamp
from lib.audit.settings import AuditSettings


@dataclass(frozen=True)
class AuditContext:
    """What every signal may read besides the leads."""

    settings: AuditSettings
    masked: bool = False
    """The snapshot is a masked role's: phones and IPs are not there to compare."""
    shared: Mapping[str, tuple[int, int]] | None = None
    """`shared_ips` of these leads when already worked out (an audit run does it once for
    IP velocity and the clusters); None: each works it out."""
    keyed: frozenset[str] = frozenset()
    """Keys whose `keyed_table` an audit run has already made on this connection (once for
    the signals and the clusters); any other key is worked out where it is read."""

    def shared_ips(self, db: duckdb.DuckDBPyConnection) -> Mapping[str, tuple[int, int]]:
        return self.shared if self.shared is not None else shared_ips(db, self.settings, self)

    def source(self, key: str) -> str:
        """Where to read the leads sharing `key` (see `keyed_sql`): the run's table, or the
        query itself."""
        return keyed_table(key) if key in self.keyed else f"({keyed_sql(key)})"


Signal = Callable[[duckdb.DuckDBPyConnection, AuditContext], SignalOutcome]

MASKED_REASON: Final = "{what} are masked for your role, so this signal cannot run"
DISPUTE_WINDOW_DAYS: Final = 14
"""Buyers dispute duplicates within about 14 days: closer repeats are strong, farther weak."""
KEYBOARD_RUNS: Final = ("qwert", "asdf", "zxcv", "azert", "qwertz", "12345", "yxcv", "hjkl")
JUNK_FIELDS: Final = ("first_name", "last_name", "company", "job_title")
FIELD_LABELS: Final = {
    "first_name": "first name",
    "last_name": "last name",
    "company": "company",
    "job_title": "job title",
}


def _rows(db: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[Any]:
    return db.execute(sql, params or []).fetchall()


def _campaigns(campaign_ids: list[int]) -> str:
    distinct = sorted(set(campaign_ids))
    if len(distinct) == 1:
        return f"in campaign {distinct[0]}"
    return f"across {len(distinct)} campaigns ({', '.join(str(c) for c in distinct)})"


def repeated(key: str) -> str:
    """A WHERE condition keeping the leads whose `key` another lead shares. Most people appear
    once: the window functions that follow then sort a few percent of the leads, not all."""
    return (
        f"{key} IN (SELECT {key} FROM leads WHERE {key} IS NOT NULL "
        f"GROUP BY {key} HAVING count(*) >= 2)"
    )


KEYS: Final = ("email_key", "phone_e164", "fingerprint", "ip")
"""The values that tie leads together: the duplicate signals, IP velocity and the clusters
read each from the same `keyed_sql`."""
MASKED_KEYS: Final = ("phone_e164", "ip")
"""Not in a masked role's snapshot: nothing to compare."""


def keyed_sql(key: str) -> str:
    """The leads whose `key` another lead shares (a few percent of them), each with the value
    as `k`, what the signals read of it, the lead before it on that value (time order) and
    the seconds to the one before (`gap`) and after (`next_gap`)."""
    return f"""
        SELECT {key} AS k, lead_id, campaign_id, created_ts, email_key, fingerprint,
               lag(lead_id) OVER w AS prev_id,
               date_diff('second', lag(created_ts) OVER w, created_ts) AS gap,
               date_diff('second', created_ts, lead(created_ts) OVER w) AS next_gap
        FROM leads WHERE {repeated(key)}
        WINDOW w AS (PARTITION BY {key} ORDER BY created_ts, lead_id)
        """


def keyed_table(key: str) -> str:
    return f"audit_keyed_{key}"


def make_keyed(db: duckdb.DuckDBPyConnection, keys: tuple[str, ...]) -> frozenset[str]:
    """`keyed_sql` of each key as a temporary table on this connection (dropped by
    `drop_keyed`): one grouping and one sort per key for every signal and the clusters."""
    for key in keys:
        db.execute(f"CREATE OR REPLACE TEMP TABLE {keyed_table(key)} AS {keyed_sql(key)}")
    return frozenset(keys)


def drop_keyed(db: duckdb.DuckDBPyConnection, keys: frozenset[str]) -> None:
    for key in sorted(keys):
        db.execute(f"DROP TABLE IF EXISTS {keyed_table(key)}")


def _repeat_runs(
    db: duckdb.DuckDBPyConnection,
    context: AuditContext,
    key: str,
    window_seconds: int,
    *,
    extra: str = "",
    having: str = "count(*) >= 2",
) -> list[Any]:
    """Leads sharing `key`, cut into runs where each lead follows the previous within the
    window. Returns (key, ids, campaigns, count, first, last, closest gap in s, extra...)."""
    return _rows(
        db,
        f"""
        WITH runs AS (
            -- Numbered across all values at once (each value's first lead has no gap, so
            -- starts a run): cheaper than a running count per value.
            SELECT *, sum(CASE WHEN gap IS NULL OR gap > {int(window_seconds)} THEN 1 ELSE 0 END)
                OVER (ORDER BY k, created_ts, lead_id ROWS UNBOUNDED PRECEDING) AS run
            FROM {context.source(key)}
        )
        SELECT k, list(lead_id ORDER BY created_ts, lead_id),
               list(campaign_id ORDER BY created_ts, lead_id), count(*),
               min(created_ts), max(created_ts),
               min(gap) FILTER (WHERE gap <= {int(window_seconds)}) {extra}
        FROM runs GROUP BY k, run HAVING {having} ORDER BY min(created_ts), k
        """,
    )


def duplicate_email(db: duckdb.DuckDBPyConnection, context: AuditContext) -> SignalOutcome:
    """The same email (its hash) on several leads within the duplicate window."""
    window = context.settings.duplicate_window_days * 86400
    findings = []
    for _key, ids, campaigns, count, first, last, closest in _repeat_runs(
        db, context, "email_key", window
    ):
        strength: Strength = "strong" if closest <= DISPUTE_WINDOW_DAYS * 86400 else "weak"
        findings.append(
            Finding(
                "duplicate_email",
                tuple(ids),
                f"The same email on {count} leads {_campaigns(campaigns)} within "
                f"{duration((last - first).total_seconds())}; the closest two "
                f"{duration(closest)} apart.",
                strength,
            )
        )
    return SignalOutcome("duplicate_email", tuple(findings))


def duplicate_phone(db: duckdb.DuckDBPyConnection, context: AuditContext) -> SignalOutcome:
    """The same number in E.164 on several leads, however it was written."""
    if context.masked:
        return SignalOutcome("duplicate_phone", skipped=MASKED_REASON.format(what="Phone numbers"))
    window = context.settings.duplicate_window_days * 86400
    findings = []
    for _key, ids, campaigns, count, first, last, closest, emails in _repeat_runs(
        db, context, "phone_e164", window, extra=", count(DISTINCT email_key)"
    ):
        people = f", under {plural(emails, 'different email')}" if emails > 1 else ", one email"
        findings.append(
            Finding(
                "duplicate_phone",
                tuple(ids),
                f"The same phone number on {count} leads {_campaigns(campaigns)}{people}, "
                f"within {duration((last - first).total_seconds())}; the closest two "
                f"{duration(closest)} apart.",
                "strong" if closest <= DISPUTE_WINDOW_DAYS * 86400 else "weak",
            )
        )
    return SignalOutcome("duplicate_phone", tuple(findings))


def shared_device(db: duckdb.DuckDBPyConnection, context: AuditContext) -> SignalOutcome:
    """One fingerprint behind different emails within the device window."""
    window = context.settings.device_window_hours * 3600
    findings = []
    for _key, ids, campaigns, count, first, last, _closest, emails in _repeat_runs(
        db,
        context,
        "fingerprint",
        window,
        extra=", count(DISTINCT email_key)",
        having="count(DISTINCT email_key) >= 2",
    ):
        findings.append(
            Finding(
                "shared_device",
                tuple(ids),
                f"One device behind {emails} different emails on {count} leads "
                f"{_campaigns(campaigns)} within {duration((last - first).total_seconds())}.",
                "strong",
            )
        )
    return SignalOutcome("shared_device", tuple(findings))


def shared_ips(
    db: duckdb.DuckDBPyConnection, settings: AuditSettings, context: AuditContext | None = None
) -> dict[str, tuple[int, int]]:
    """IPs seen for many people over a long span (an office, a VPN exit): ip -> (people,
    span in hours). Their flags are weak and they never join a cluster on their own."""
    source = context.source("ip") if context is not None else f"({keyed_sql('ip')})"
    rows = _rows(
        db,
        f"""
        WITH wide AS (
            -- Counting the different people is the dear part: only for IPs with enough
            -- leads over a long enough span.
            SELECT k FROM {source} GROUP BY k
            HAVING count(*) >= {int(settings.shared_ip_people)}
               AND date_diff('second', min(created_ts), max(created_ts))
                   >= {int(settings.shared_ip_span_hours) * 3600}
        )
        SELECT k, count(DISTINCT email_key),
               date_diff('second', min(created_ts), max(created_ts)) // 3600
        FROM {source} WHERE k IN (SELECT k FROM wide) GROUP BY k
        HAVING count(DISTINCT email_key) >= {int(settings.shared_ip_people)}
        """,
    )
    return {str(ip): (int(people), int(hours)) for ip, people, hours in rows}


def ip_velocity(db: duckdb.DuckDBPyConnection, context: AuditContext) -> SignalOutcome:
    """The same IP twice within the rapid-post span, or `ip_hour_count` times within the hour."""
    if context.masked:
        return SignalOutcome("ip_velocity", skipped=MASKED_REASON.format(what="IP addresses"))
    settings = context.settings
    rapid = int(settings.rapid_post_seconds)
    hour = int(settings.ip_hour_seconds)
    shared = context.shared_ips(db)
    rows = _rows(
        db,
        f"""
        WITH k AS (
            -- Only a lead with another on its IP within the hour can be in a finding: the
            -- counting and the join below see those alone.
            SELECT lead_id, campaign_id, created_ts, k AS ip FROM {context.source("ip")}
            WHERE gap <= {hour} OR next_gap <= {hour}
        ), w AS (
            SELECT *,
                count(*) OVER (PARTITION BY ip ORDER BY created_ts
                    RANGE BETWEEN INTERVAL {hour} SECOND PRECEDING AND CURRENT ROW) AS in_hour,
                date_diff('second', lag(created_ts) OVER o, created_ts) AS gap_prev,
                date_diff('second', created_ts, lead(created_ts) OVER o) AS gap_next
            FROM k WINDOW o AS (PARTITION BY ip ORDER BY created_ts, lead_id)
        ), involved AS (
            SELECT lead_id FROM w WHERE gap_prev <= {rapid} OR gap_next <= {rapid}
            UNION
            SELECT a.lead_id FROM w a JOIN w f ON a.ip = f.ip
                AND f.in_hour >= {int(settings.ip_hour_count)}
                AND a.created_ts BETWEEN f.created_ts - INTERVAL {hour} SECOND AND f.created_ts
        ), flagged AS (
            SELECT w.lead_id, w.campaign_id, w.created_ts, w.ip,
                   date_diff('second', lag(w.created_ts) OVER o, w.created_ts) AS gap
            FROM w JOIN involved USING (lead_id)
            WINDOW o AS (PARTITION BY w.ip ORDER BY w.created_ts, w.lead_id)
        ), runs AS (
            SELECT *, sum(CASE WHEN gap IS NULL OR gap > {hour} THEN 1 ELSE 0 END)
                OVER (PARTITION BY ip ORDER BY created_ts, lead_id ROWS UNBOUNDED PRECEDING) AS run
            FROM flagged
        )
        SELECT ip, list(lead_id ORDER BY created_ts, lead_id),
               list(campaign_id ORDER BY created_ts, lead_id), count(*),
               min(created_ts), max(created_ts), min(gap) FILTER (WHERE gap <= {hour})
        FROM runs GROUP BY ip, run ORDER BY min(created_ts), ip
        """,
    )
    findings = []
    for ip, ids, campaigns, count, first, last, closest in rows:
        span = (last - first).total_seconds()
        sentence = f"The same IP on {count} leads {_campaigns(campaigns)} within {duration(span)}"
        if closest is not None and closest <= rapid:
            sentence += f"; two of them {duration(closest)} apart (a rapid post)"
        strength: Strength = "strong"
        if ip in shared:
            people, hours = shared[ip]
            strength = "weak"
            sentence += (
                f". The IP is used by {people} different people over {duration(hours * 3600)}"
                " (an office or a VPN exit), so this is weak"
            )
        findings.append(Finding("ip_velocity", tuple(ids), sentence + ".", strength))
    return SignalOutcome("ip_velocity", tuple(findings))


def disposable_email(db: duckdb.DuckDBPyConnection, context: AuditContext) -> SignalOutcome:
    """A domain on the maintained disposable list, or the provider's own verdict on the lead."""
    rows = _rows(
        db,
        """
        SELECT CASE WHEN domain_disposable THEN email_domain END AS domain,
               bool_or(coalesce(bv_disposable, false)) AS briteverify,
               bool_or(coalesce(nb_result = 'disposable', false)) AS neverbounce,
               list(lead_id ORDER BY created_ts, lead_id), list(campaign_id), count(*)
        FROM leads
        WHERE coalesce(domain_disposable, false) OR coalesce(bv_disposable, false)
           OR coalesce(nb_result = 'disposable', false)
        GROUP BY 1 ORDER BY count(*) DESC, 1
        """,
    )
    findings = []
    for domain, briteverify, neverbounce, ids, campaigns, count in rows:
        who = [
            name
            for name, said in (("BriteVerify", briteverify), ("NeverBounce", neverbounce))
            if said
        ]
        if domain:
            sentence = (
                f"{plural(count, 'lead')} {_campaigns(campaigns)} with an address at {domain}, "
                "a disposable email domain"
            )
            if who:
                sentence += f" ({' and '.join(who)} agree)"
        else:
            sentence = (
                f"{plural(count, 'lead')} {_campaigns(campaigns)} whose email "
                f"{' and '.join(who)} judged disposable"
            )
        findings.append(Finding("disposable_email", tuple(ids), sentence + ".", "strong"))
    notes = (
        ("Email domains are masked for your role: only the providers' verdicts were read.",)
        if context.masked
        else ()
    )
    return SignalOutcome("disposable_email", tuple(findings), notes=notes)


def geo_mismatch(db: duckdb.DuckDBPyConnection, context: AuditContext) -> SignalOutcome:
    """The stated country, the phone's country and the IP's country disagree. Only known,
    public values compare: a private, documentation or unknown IP is never a mismatch."""
    if context.masked:
        return SignalOutcome(
            "geo_mismatch", skipped=MASKED_REASON.format(what="Phone numbers and IP addresses")
        )
    rows = _rows(
        db,
        """
        SELECT country, phone_country, ip_country,
               list(lead_id ORDER BY created_ts, lead_id), list(campaign_id), count(*)
        FROM leads
        WHERE country <> phone_country OR country <> ip_country OR phone_country <> ip_country
        GROUP BY ALL ORDER BY count(*) DESC, 1, 2, 3
        """,
    )
    findings = []
    for stated, phone, ip, ids, campaigns, count in rows:
        parts = []
        if stated:
            parts.append(f"state {stated}")
        if phone:
            parts.append(f"have a phone from {phone}")
        if ip:
            parts.append(f"posted from an IP in {ip}")
        # The person's own values disagreeing is strong; only the IP disagreeing may be travel,
        # a VPN or a company's network, so it is weak.
        strength: Strength = "strong" if stated and phone and stated != phone else "weak"
        findings.append(
            Finding(
                "geo_mismatch",
                tuple(ids),
                f"{plural(count, 'lead')} {_campaigns(campaigns)} {', '.join(parts)}.",
                strength,
            )
        )
    return SignalOutcome("geo_mismatch", tuple(findings))


def _repeat_pattern(times: int) -> str:
    characters = "abcdefghijklmnopqrstuvwxyz0123456789"
    # RE2 has no back-references: spell out every character's run.
    return "(" + "|".join(character * times for character in characters) + ")"


def junk_values(db: duckdb.DuckDBPyConnection, context: AuditContext) -> SignalOutcome:
    """Values no person types: first name = last name, "test", a character repeated, keyboard
    runs, names too short to be names, several fields under four characters."""
    settings = context.settings
    repeat = _repeat_pattern(max(2, int(settings.junk_repeat)))
    keyboard = "(" + "|".join(KEYBOARD_RUNS) + ")"
    checks = []
    for name in JUNK_FIELDS:
        checks += [
            f"coalesce(regexp_matches(lower({name}), '\\btest\\b'), false) AS {name}_test",
            f"coalesce(regexp_matches(lower({name}), '{repeat}'), false) AS {name}_repeat",
            f"coalesce(regexp_matches(lower({name}), '{keyboard}'), false) AS {name}_keyboard",
            f"coalesce(length({name}) < 4, false) AS {name}_short",
        ]
    names = ("first_name", "last_name")
    checks += [
        f"coalesce(length({name}) < {int(settings.junk_min_length)}, false) AS {name}_tiny"
        for name in names
    ]
    checks.append("coalesce(lower(first_name) = lower(last_name), false) AS same_name")
    flag_names = [check.rsplit(" AS ", 1)[1] for check in checks]
    shorts = " + ".join(f"{name}_short::INT" for name in JUNK_FIELDS)
    # Only leads with something to say leave DuckDB: the clean majority never reaches Python.
    any_flag = " OR ".join(
        [flag for flag in flag_names if not flag.endswith("_short")]
        + [f"({shorts}) >= {int(settings.junk_short_fields)}"]
    )
    # One pass over every lead with one regular expression over its four fields joined (a
    # separator no pattern matches across); the detailed checks run on the few it lets by.
    joined = " || chr(31) || ".join(f"lower(coalesce({name}, ''))" for name in JUNK_FIELDS)
    anything = "|".join(("\\btest\\b", repeat[1:-1], keyboard[1:-1]))
    lengths = " OR ".join(
        f"coalesce(length({name}) < {int(settings.junk_min_length)}, false)" for name in names
    )
    candidates = (
        f"regexp_matches({joined}, '{anything}') OR {lengths} "
        f"OR coalesce(lower(first_name) = lower(last_name), false) "
        f"OR ({shorts}) >= {int(settings.junk_short_fields)}"
    )
    rows = db.execute(
        f"SELECT * FROM (SELECT lead_id, created_ts AS captured, {', '.join(checks)} FROM leads "
        f"WHERE {candidates}) WHERE {any_flag} ORDER BY captured, lead_id"
    ).fetchall()
    columns = [column[0] for column in db.description or ()]
    findings = []
    for row in rows:
        flags = dict(zip(columns, row, strict=True))
        del flags["captured"]
        strong: list[str] = []
        weak: list[str] = []
        if flags["same_name"]:
            strong.append("first name equals last name")
        for name in JUNK_FIELDS:
            label = FIELD_LABELS[name]
            if flags[f"{name}_test"]:
                strong.append(f'"test" in the {label}')
            if flags[f"{name}_repeat"]:
                strong.append(
                    f"a character repeated {settings.junk_repeat} or more times in the {label}"
                )
            if flags[f"{name}_keyboard"]:
                strong.append(f"a keyboard run in the {label}")
        for name in names:
            if flags[f"{name}_tiny"]:
                weak.append(f"a {FIELD_LABELS[name]} under {settings.junk_min_length} characters")
        short = [FIELD_LABELS[name] for name in JUNK_FIELDS if flags[f"{name}_short"]]
        if len(short) >= settings.junk_short_fields:
            weak.append(f"{len(short)} fields under 4 characters ({', '.join(short)})")
        if strong or weak:
            reasons = strong + weak
            sentence = reasons[0][0].upper() + "; ".join(reasons)[1:] + "."
            findings.append(
                Finding(
                    "junk_values",
                    (int(flags["lead_id"]),),
                    sentence,
                    "strong" if strong else "weak",
                )
            )
    return SignalOutcome("junk_values", tuple(findings))


def _source(publisher: int | None, sub_id: str | None) -> str:
    who = f"Publisher {publisher}" if publisher is not None else "Leads without a publisher"
    return f"{who}, sub-ID {sub_id}" if sub_id else f"{who} (no sub-ID)"


_SESSION_GAP: Final = 3600
"""A pause longer than an hour ends a publisher's session (cadence is judged per session)."""


def machine_cadence(db: duckdb.DuckDBPyConnection, context: AuditContext) -> SignalOutcome:
    """A publisher or sub-ID whose leads arrive at machine-regular intervals: within a session,
    the gaps' coefficient of variation (sd / mean) at most `cadence_max_cv`. People arrive
    independently (gaps' CV near 1); a script posts on a timer."""
    settings = context.settings
    rows = _rows(
        db,
        f"""
        WITH g AS (
            SELECT lead_id, campaign_id, publisher_id, sub_id, created_ts,
                   date_diff('millisecond', lag(created_ts) OVER w, created_ts) / 1000.0 AS gap,
                   date_diff('millisecond', created_ts, lead(created_ts) OVER w) / 1000.0
                       AS next_gap
            FROM leads
            WINDOW w AS (PARTITION BY publisher_id, sub_id ORDER BY created_ts, lead_id)
        ), s AS MATERIALIZED (
            -- Sessions numbered across all publishers at once (each publisher's first
            -- lead has no gap, so starts one): a running count without partitions costs
            -- DuckDB far less than one per partition.
            SELECT *, sum(CASE WHEN gap IS NULL OR gap > {_SESSION_GAP} THEN 1 ELSE 0 END)
                OVER (ORDER BY publisher_id, sub_id, created_ts, lead_id
                      ROWS UNBOUNDED PRECEDING) AS session
            -- A lead alone in its hour is in no session worth judging: left out before the
            -- second pass (the lead after it is more than an hour later, so starts one).
            FROM g WHERE gap <= {_SESSION_GAP} OR next_gap <= {_SESSION_GAP}
        ), regular AS (
            -- Each session's gaps first; only machine-regular ones (most are people) then
            -- build their lists of leads.
            SELECT session, avg(gap) FILTER (WHERE gap <= {_SESSION_GAP}) AS mean,
                   stddev_pop(gap) FILTER (WHERE gap <= {_SESSION_GAP}) AS sd
            FROM s GROUP BY session
            HAVING count(*) >= {int(settings.cadence_min_leads)}
               AND coalesce(sd / nullif(mean, 0), 0) <= {float(settings.cadence_max_cv)}
        )
        SELECT publisher_id, sub_id, list(lead_id ORDER BY created_ts, lead_id),
               list(campaign_id), count(*), min(created_ts), max(created_ts),
               any_value(mean), any_value(sd)
        FROM s JOIN regular USING (session) GROUP BY publisher_id, sub_id, session
        ORDER BY min(created_ts), publisher_id NULLS FIRST, sub_id NULLS FIRST
        """,
    )
    findings = []
    for publisher, sub_id, ids, campaigns, count, first, last, mean, sd in rows:
        variation = 0.0 if not mean else float(sd) / float(mean)
        findings.append(
            Finding(
                "machine_cadence",
                tuple(ids),
                f"{_source(publisher, sub_id)}: {count} leads {_campaigns(campaigns)} arriving "
                f"every {duration(float(mean or 0))} like clockwork (gap variation "
                f"{variation:.2f}, people give about 1) from {stamp(first)} to "
                f"{stamp(last)} UTC.",
                "strong",
            )
        )
    return SignalOutcome("machine_cadence", tuple(findings))


def _is_night(settings: AuditSettings) -> str:
    start, end = int(settings.off_hours_start), int(settings.off_hours_end)
    hour = "hour(local_ts)"
    if start <= end:
        return f"({hour} >= {start} AND {hour} < {end})"
    return f"({hour} >= {start} OR {hour} < {end})"


def off_hours(db: duckdb.DuckDBPyConnection, context: AuditContext) -> SignalOutcome:
    """Bursts at night in the lead's local time: a publisher or sub-ID with at least
    `off_hours_min_burst` night leads within one hour. Weak alone: night owls exist."""
    settings = context.settings
    unplaced = _rows(db, "SELECT count(*) FROM leads WHERE local_ts IS NULL")[0][0]
    rows = _rows(
        db,
        f"""
        WITH n AS (
            SELECT lead_id, campaign_id, publisher_id, sub_id, created_ts, local_ts, local_zone
            FROM leads WHERE local_ts IS NOT NULL AND {_is_night(settings)}
        ), w AS (
            SELECT *,
                count(*) OVER (PARTITION BY publisher_id, sub_id ORDER BY created_ts
                    RANGE BETWEEN INTERVAL 3600 SECOND PRECEDING AND CURRENT ROW) AS in_hour,
                date_diff('second', lag(created_ts) OVER o, created_ts) AS gap
            FROM n WINDOW o AS (PARTITION BY publisher_id, sub_id ORDER BY created_ts, lead_id)
        ), s AS MATERIALIZED (
            -- Numbered across all publishers at once, as in machine_cadence.
            SELECT *, sum(CASE WHEN gap IS NULL OR gap > 3600 THEN 1 ELSE 0 END)
                OVER (ORDER BY publisher_id, sub_id, created_ts, lead_id
                      ROWS UNBOUNDED PRECEDING) AS session
            FROM w
        ), bursts AS (
            SELECT session FROM s GROUP BY session
            HAVING max(in_hour) >= {int(settings.off_hours_min_burst)}
        )
        SELECT publisher_id, sub_id, list(lead_id ORDER BY created_ts, lead_id),
               list(campaign_id), count(*), min(local_ts), max(local_ts), mode(local_zone)
        FROM s WHERE session IN (SELECT session FROM bursts)
        GROUP BY publisher_id, sub_id, session
        ORDER BY min(created_ts), publisher_id NULLS FIRST, sub_id NULLS FIRST
        """,
    )
    findings = []
    for publisher, sub_id, ids, campaigns, count, first, last, zone in rows:
        findings.append(
            Finding(
                "off_hours",
                tuple(ids),
                f"{_source(publisher, sub_id)}: {count} leads {_campaigns(campaigns)} at night "
                f"in the leads' local time, {first:%a %H:%M} to {last:%H:%M} ({zone}).",
                "weak",
            )
        )
    notes = (
        (
            f"{plural(int(unplaced), 'lead')} without a known country or phone zone were not "
            "placed in local time.",
        )
        if unplaced
        else ()
    )
    return SignalOutcome("off_hours", tuple(findings), notes=notes)


SIGNAL_FUNCTIONS: Final[dict[str, Signal]] = {
    "duplicate_email": duplicate_email,
    "duplicate_phone": duplicate_phone,
    "shared_device": shared_device,
    "ip_velocity": ip_velocity,
    "disposable_email": disposable_email,
    "geo_mismatch": geo_mismatch,
    "junk_values": junk_values,
    "machine_cadence": machine_cadence,
    "off_hours": off_hours,
}


def window_of(db: duckdb.DuckDBPyConnection) -> tuple[dt.datetime | None, dt.datetime | None]:
    row = _rows(db, "SELECT min(created_ts), max(created_ts) FROM leads")[0]
    return row[0], row[1]
