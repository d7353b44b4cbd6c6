"""The request inspector's view model: the table, the secret check, the dossier's waterfall."""

from __future__ import annotations

from lib.charts.requests import waterfall_figure
from lib.convertr.requestlog import FAILED_STATUS, RequestRecord
from lib.views.requests import (
    REQUEST_COLUMNS,
    SIGN_IN,
    ViewRequest,
    dossier_requests,
    has_no_secret,
    requests_frame,
    summary,
    waterfall_frame,
)


def record(
    seq: int,
    path: str = "/api/v4/leads/1",
    *,
    method: str = "GET",
    wave: int | None = None,
    started: float = 100.0,
    elapsed_ms: float = 10.0,
    query: str = "",
    status: int = 200,
) -> RequestRecord:
    return RequestRecord(seq, method, path, query, status, started, elapsed_ms, 512, wave, "s")


def test_the_table_lists_requests_in_the_order_sent_with_cache_and_wave() -> None:
    requests = [
        ViewRequest(record(3, "/api/v4/statistics", wave=3, query="campaign.id%5B%5D=1"), True),
        ViewRequest(record(1, "/api/login", method="POST"), False),
        ViewRequest(record(2, wave=1, status=FAILED_STATUS), False),
    ]
    frame = requests_frame(requests)
    assert list(frame.columns) == REQUEST_COLUMNS
    assert list(frame["#"]) == [1, 2, 3]
    assert list(frame["From cache"]) == ["no", "no", "yes"]
    assert list(frame["Wave"]) == ["", "1", "3"]
    assert list(frame["Status"]) == ["200", "no answer", "200"]
    assert frame["Query"].iloc[2] == "campaign.id%5B%5D=1"


def test_a_row_with_an_unredacted_secret_is_never_shown() -> None:
    leaking = record(1, query="access_token=abc&page=1")
    redacted = record(2, query="access_token=%5Bredacted%5D&page=1")
    assert not has_no_secret(leaking)
    assert has_no_secret(redacted) and has_no_secret(record(3, query="ip=1.2.3.4"))
    frame = requests_frame([ViewRequest(leaking, False), ViewRequest(redacted, False)])
    assert list(frame["#"]) == [2]
    assert "abc" not in frame.to_csv()


def test_the_dossier_is_the_last_run_of_waved_requests_with_its_sign_in() -> None:
    records = [
        record(1, "/api/v4/campaigns"),
        record(2, "/api/login", method="POST"),
        record(3, wave=1),
        record(4, "/api/v4/campaigns/1", wave=2),
        record(5, "/api/v4/statistics", wave=3),
    ]
    assert [item.seq for item in dossier_requests(records)] == [2, 3, 4, 5]
    assert dossier_requests(records[:2]) == ()
    reloaded = [*records, record(6, wave=1), record(7, wave=2)]
    assert [item.seq for item in dossier_requests(reloaded)] == [2, 3, 4, 5, 6, 7], (
        "two loads back to back are one run (a load whose hints disagreed)"
    )


def test_the_waterfall_has_one_trace_per_wave_starting_at_zero() -> None:
    records = [
        record(1, "/api/login", method="POST", started=10.0, elapsed_ms=50),
        record(2, wave=1, started=10.06),
        record(3, "/api/v4/lead-notes", wave=1, started=10.061),
        record(4, "/api/v4/campaigns/1", wave=2, started=10.08),
    ]
    figure = waterfall_figure(waterfall_frame(records))
    names = [trace.name for trace in figure.data]
    assert names == [SIGN_IN, "wave 1", "wave 2"]
    assert figure.data[0].base[0] == 0
    assert round(figure.data[2].base[0]) == 80
    assert figure.layout.yaxis.categoryarray[0].startswith("#1 POST /api/login")


def test_the_summary_counts_the_cached_and_the_span() -> None:
    requests = [
        ViewRequest(record(1, wave=1, started=1.0, elapsed_ms=100), True),
        ViewRequest(record(2, wave=2, started=1.1, elapsed_ms=100), False),
    ]
    figures = summary(requests)
    assert (figures.total, figures.sent, figures.waves) == (2, 1, 2)
    assert round(figures.elapsed_ms) == 200
    assert figures.heading == "2 API requests behind this view · 1 from the cache"
    assert summary([]).heading == "API requests behind this view: none"
