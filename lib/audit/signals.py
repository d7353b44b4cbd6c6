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
import numpy as np
import numpy.typing as npt
import pandas as pd

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
    arrivals: Arrivals | None = None
    """`read_arrivals` of these leads when already read (an audit run reads them once for
    machine_cadence and off_hours); None: each reads them."""

    def arrivals_of(self, db: duckdb.DuckDBPyConnection) -> Arrivals:
        return self.arrivals if self.arrivals is not None else read_arrivals(db)

    def shared_ips(self, db: duckdb.DuckDBPyConnection) -> Mapping[str, tuple[int, int]]:
        return self.shared if self.shared is not None else shared_ips(db, self.settings, self)

    def source(self, key: str) -> str:
        """Where to read the leads sharing `key` (see `keyed_sql`): the run's table, or the
        query itself."""
        return keyed_table(key) if key in self.keyed else f"({keyed_sql(key)})"


Signal = Callable[[duckdb.DuckDBPyConnection, AuditContext], SignalOutcome]


@dataclass(frozen=True)
class Arrivals:
    """Every lead in the order of its source's arrivals (publisher, sub-ID, capture time, id),
    as arrays: what machine_cadence and off_hours cut into sessions. Sorting once and cutting in
    numpy costs a fraction of DuckDB's window functions over every lead (a sort per window);
    the few sessions that become findings are then described in SQL, as before."""

    lead_id: npt.NDArray[np.int64]
    created_us: npt.NDArray[np.int64]
    """Capture time, microseconds since 1970."""
    source_starts: npt.NDArray[np.bool_]
    """The first lead of its (publisher, sub-ID)."""
    local_hour: npt.NDArray[np.int64]
    """The hour in the lead's local time; -1 when not placed."""


def read_arrivals(db: duckdb.DuckDBPyConnection) -> Arrivals:
    """The leads of `leads` as `Arrivals`. A source is told from the next by a hash of its
    publisher and sub-ID (two different sources side by side in this order with the same
    64-bit hash would be read as one)."""
    columns = db.execute(
        "SELECT lead_id, epoch_us(created_ts) AS created_us, "
        "hash(publisher_id, sub_id) AS source, coalesce(hour(local_ts), -1) AS local_hour "
        "FROM leads ORDER BY publisher_id, sub_id, created_ts, lead_id"
    ).fetchnumpy()
    source = np.asarray(columns["source"])
    starts = np.ones(len(source), dtype=np.bool_)
    starts[1:] = source[1:] != source[:-1]
    return Arrivals(
        lead_id=np.asarray(columns["lead_id"], dtype=np.int64),
        created_us=np.asarray(columns["created_us"], dtype=np.int64),
        source_starts=starts,
        local_hour=np.asarray(columns["local_hour"], dtype=np.int64),
    )


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
    as `k`, what the signals read of it (the email tells people apart), the lead before it on
    that value (time order) and the seconds to the one before (`gap`) and after (`next_gap`)."""
    return f"""
        SELECT {key} AS k, lead_id, campaign_id, created_ts, email_key,
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


_MICROS: Final = 1_000_000
_CADENCE_MARGIN: Final = 1e-9
"""numpy picks the sessions whose gap variation is within the setting plus this; DuckDB then
judges them exactly as it always has (no float rounding decides a finding)."""


def _sessions(starts: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """Each row's session number (0, 1, ...) from the rows that start one."""
    return np.cumsum(starts, dtype=np.int64) - 1


def _described(
    db: duckdb.DuckDBPyConnection, frame: pd.DataFrame, select: str, having: str = ""
) -> list[Any]:
    """The sessions of `frame` (lead_id, session, ...) described in SQL: one row per session,
    in time order, as the signals have always listed them."""
    if frame.empty:
        return []
    db.register("audit_sessions", frame)
    try:
        return _rows(
            db,
            f"""
            SELECT publisher_id, sub_id, list(lead_id ORDER BY created_ts, lead_id),
                   list(campaign_id), count(*), {select}
            FROM leads JOIN audit_sessions USING (lead_id)
            GROUP BY publisher_id, sub_id, session {having}
            ORDER BY min(created_ts), publisher_id NULLS FIRST, sub_id NULLS FIRST
            """,
        )
    finally:
        db.unregister("audit_sessions")


def machine_cadence(db: duckdb.DuckDBPyConnection, context: AuditContext) -> SignalOutcome:
    """A publisher or sub-ID whose leads arrive at machine-regular intervals: within a session,
    the gaps' coefficient of variation (sd / mean) at most `cadence_max_cv`. People arrive
    independently (gaps' CV near 1); a script posts on a timer.

    A session is a source's run of leads each within an hour (`_SESSION_GAP`) of the one
    before (gaps in milliseconds); a lead alone in its hour is in none."""
    settings = context.settings
    order = context.arrivals_of(db)
    gap_ms = np.diff(order.created_us // 1000, prepend=0)
    # `timed`: the lead has a gap to judge (the one before is of its source, within the hour).
    timed = ~order.source_starts & (gap_ms <= _SESSION_GAP * 1000)
    kept = timed.copy()
    kept[:-1] |= timed[1:]  # or the lead after it has one
    rows = np.flatnonzero(kept)
    timed = timed[rows]
    session = _sessions(~timed)
    gaps = np.where(timed, gap_ms[rows] / 1000.0, 0.0)
    leads = np.bincount(session)
    counted = np.bincount(session, weights=timed)
    mean = np.bincount(session, weights=gaps) / np.maximum(counted, 1)
    spread = np.where(timed, gaps - mean[session], 0.0)
    sd = np.sqrt(np.bincount(session, weights=spread * spread) / np.maximum(counted, 1))
    variation = np.divide(sd, mean, out=np.zeros_like(sd), where=mean != 0)
    regular = (leads >= int(settings.cadence_min_leads)) & (
        variation <= float(settings.cadence_max_cv) + _CADENCE_MARGIN
    )
    chosen = regular[session]
    found = _described(
        db,
        pd.DataFrame(
            {
                "lead_id": order.lead_id[rows][chosen],
                "session": session[chosen],
                "gap": gaps[chosen],
                "timed": timed[chosen],
            }
        ),
        "min(created_ts), max(created_ts), avg(gap) FILTER (WHERE timed) AS mean, "
        "stddev_pop(gap) FILTER (WHERE timed) AS sd",
        f"HAVING coalesce(sd / nullif(mean, 0), 0) <= {float(settings.cadence_max_cv)}",
    )
    findings = []
    for publisher, sub_id, ids, campaigns, count, first, last, mean_gap, sd_gap in found:
        cv = 0.0 if not mean_gap else float(sd_gap) / float(mean_gap)
        findings.append(
            Finding(
                "machine_cadence",
                tuple(ids),
                f"{_source(publisher, sub_id)}: {count} leads {_campaigns(campaigns)} arriving "
                f"every {duration(float(mean_gap or 0))} like clockwork (gap variation "
                f"{cv:.2f}, people give about 1) from {stamp(first)} to "
                f"{stamp(last)} UTC.",
                "strong",
            )
        )
    return SignalOutcome("machine_cadence", tuple(findings))


def _is_night(settings: AuditSettings, hour: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Whether each local hour is at night (-1, not placed, never is)."""
    start, end = int(settings.off_hours_start), int(settings.off_hours_end)
    night = (hour >= start) & (hour < end) if start <= end else (hour >= start) | (hour < end)
    return night & (hour >= 0)


def off_hours(db: duckdb.DuckDBPyConnection, context: AuditContext) -> SignalOutcome:
    """Bursts at night in the lead's local time: a publisher or sub-ID with at least
    `off_hours_min_burst` night leads within one hour (either end included). Weak alone:
    night owls exist.

    A burst is reported with its session: the source's night leads each within an hour
    (`_SESSION_GAP`, in whole seconds) of the one before."""
    settings = context.settings
    order = context.arrivals_of(db)
    unplaced = int(np.count_nonzero(order.local_hour < 0))
    rows = np.flatnonzero(_is_night(settings, order.local_hour))
    micros = order.created_us[rows]
    source = np.cumsum(order.source_starts)[rows]
    step = np.diff(micros, prepend=0)
    starts = np.ones(len(rows), dtype=np.bool_)
    starts[1:] = source[1:] != source[:-1]
    starts |= np.diff(micros // _MICROS, prepend=0) > _SESSION_GAP
    session = _sessions(starts)
    # A clock that runs with the leads inside a session and jumps more than an hour between
    # sessions: an hour back from a lead then never reaches another session (or source), and
    # one sorted search counts every lead's hour at once.
    clock = np.cumsum(np.where(starts, (_SESSION_GAP + 1) * _MICROS, step))
    in_hour = np.searchsorted(clock, clock, "right") - np.searchsorted(
        clock, clock - _SESSION_GAP * _MICROS, "left"
    )
    first = np.flatnonzero(starts)
    bursts = (
        np.maximum.reduceat(in_hour, first) >= int(settings.off_hours_min_burst)
        if len(first)
        else np.zeros(0, dtype=np.bool_)
    )
    chosen = bursts[session]
    found = _described(
        db,
        pd.DataFrame({"lead_id": order.lead_id[rows][chosen], "session": session[chosen]}),
        "min(local_ts), max(local_ts), mode(local_zone)",
    )
    findings = []
    for publisher, sub_id, ids, campaigns, count, first_local, last_local, zone in found:
        findings.append(
            Finding(
                "off_hours",
                tuple(ids),
                f"{_source(publisher, sub_id)}: {count} leads {_campaigns(campaigns)} at night "
                f"in the leads' local time, {first_local:%a %H:%M} to {last_local:%H:%M} "
                f"({zone}).",
                "weak",
            )
        )
    notes = (
        (
            f"{plural(unplaced, 'lead')} without a known country or phone zone were not "
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
