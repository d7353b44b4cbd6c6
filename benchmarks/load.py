"""Ten analysts on one server (issue 23): ``python -m benchmarks.load --users N``.

N simulated analysts at once, each in a Streamlit session of its own on one server started
with ``streamlit run app.py`` (the embedded sandbox, as ``make run``): each opens a lead by its
deep link, switches to two tabs (Job Details, Timeline), then opens the next lead. For each N
it reports the median and 95th percentile time to content of the lead opens, the tab switches'
median, the errors, the server's CPU seconds per lead open, its memory before, at the peak and
after the sessions ended, and the memory an idle session holds.

The analysts are **browserless Streamlit sessions**: each speaks Streamlit's own websocket
protocol (the BackMsg a browser sends, the ForwardMsgs it receives) from one asyncio process.
Browser contexts on this two-core machine would take the cores the server is measured on
(Chromium costs more CPU per page than the server does), so the wall times would measure the
browsers; the server does exactly the same work for a protocol client as for a browser (the
same script runs, the same deltas are built and sent). "Time to content" is from sending the
run request to the server's "script finished" (every delta of the run received). The browser's
own drawing is measured by ``benchmarks.first_render`` and ``benchmarks.tab_switch``.

Server CPU is the server process's user + system time (``/proc/PID/stat``) over the whole run
divided by the lead opens (so it includes the sign-in of each new visitor, the tab switches
and the sandbox API, which runs in the same process); memory is its resident set.
``--profile DIR`` runs the server under py-spy and writes a flame graph and the top functions.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from websockets.typing import Subprotocol

from benchmarks.first_render import APP, _wait_for_health
from benchmarks.ports import free_port, streamlit_command
from benchmarks.screenshots import PROJECT_ROOT

PROTOCOL: Final = Subprotocol("streamlit")
USERS: Final = (1, 4, 10)
FIRST_LEAD: Final = 100001
LEAD_STRIDE: Final = 37
"""Each analyst's leads are apart from everyone else's (no analyst reuses another's dossier)."""
TABS: Final = ("Job Details", "Timeline")
LEAD_PAGE: Final = "Lead"
RUN_TIMEOUT: Final = 120.0
IDLE_SESSIONS: Final = 20
DISCONNECTED_SESSION_TTL: Final = 2
"""Seconds the server keeps a closed session for a reconnect (Streamlit's default is 120)."""
GOAL_CPU_PER_OPEN: Final = 0.3
GOAL_P95_AT_10: Final = 5.0
GOAL_IDLE_SESSION_MIB: Final = 10.0
RELEASED_SHARE: Final = 0.25
"""Released: what the ended sessions still hold is at most this share of what they held."""
CLOCK_TICKS: Final = os.sysconf("SC_CLK_TCK")
PAGE_SIZE: Final = os.sysconf("SC_PAGE_SIZE")
ERROR_TEXTS: Final = ("Could not load", "Something went wrong", "Cannot load data")


# -- the server ------------------------------------------------------------------------------


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    pid: int
    """The Streamlit server's own process (under py-spy, its child)."""

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def rss_mib(self) -> float:
        resident = int(Path(f"/proc/{self.pid}/statm").read_text().split()[1])
        return resident * PAGE_SIZE / 2**20


def _streamlit_pid(process: subprocess.Popen[bytes], profiled: bool) -> int:
    if not profiled:
        return process.pid
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = children.read_text().split()
        if found:
            return int(found[0])
        time.sleep(0.05)
    raise RuntimeError("py-spy did not start the server")


@contextmanager
def served(profile: Path | None = None, env: dict[str, str] | None = None) -> Iterator[Server]:
    """``streamlit run app.py`` on a free port (under py-spy when profiling)."""
    port = free_port()
    command = [
        *streamlit_command(APP, port),
        "--server.disconnectedSessionTTL",
        str(DISCONNECTED_SESSION_TTL),
    ]
    if profile is not None:
        profile.mkdir(parents=True, exist_ok=True)
        spy = Path(sys.executable).with_name("py-spy")
        command = [
            str(spy),
            "record",
            "--rate",
            "50",
            "--format",
            "raw",
            "--output",
            str(profile / "server.txt"),
            "--",
            *command,
        ]
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env={**os.environ, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_for_health(process, log, url)
            yield Server(url, process, _streamlit_pid(process, profile is not None))
        finally:
            # py-spy writes its profile when the server ends (SIGINT reaches both).
            process.send_signal(2)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# -- one analyst: Streamlit's websocket protocol ---------------------------------------------


@dataclass
class RunResult:
    seconds: float
    errors: list[str]
    tabs_id: str | None
    title: str | None


@dataclass
class Analyst:
    """One browserless session: what the server sent it and what it measured."""

    opens: list[float] = field(default_factory=list)
    switches: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Session:
    def __init__(self, socket: Any) -> None:
        self.socket = socket

    async def run(
        self, query: str, widgets: Sequence[tuple[str, str]] = (), page: str = LEAD_PAGE
    ) -> RunResult:
        """One script run as a browser asks for it; the time until the run has finished."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        message = BackMsg()
        state = message.rerun_script
        state.query_string = query
        state.page_name = page
        state.context_info.timezone = "Europe/London"
        state.context_info.locale = "en-GB"
        for widget_id, value in widgets:
            widget = state.widget_states.widgets.add()
            widget.id = widget_id
            widget.string_value = value
        started = time.perf_counter()
        await self.socket.send(message.SerializeToString())
        return await self._until_finished(started)

    async def _until_finished(self, started: float) -> RunResult:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        errors: list[str] = []
        tabs_id: str | None = None
        title: str | None = None
        finished = ForwardMsg.ScriptFinishedStatus
        while True:
            raw = await asyncio.wait_for(self.socket.recv(), RUN_TIMEOUT)
            message = ForwardMsg()
            message.ParseFromString(raw)
            kind = message.WhichOneof("type")
            if kind == "page_not_found":
                errors.append("page not found")
            elif kind == "delta":
                delta = message.delta
                if delta.WhichOneof("type") == "add_block":
                    if delta.add_block.WhichOneof("type") == "tab_container":
                        tabs_id = delta.add_block.id
                elif delta.WhichOneof("type") == "new_element":
                    element = delta.new_element
                    which = element.WhichOneof("type")
                    if which == "exception":
                        errors.append(f"exception: {element.exception.message[:120]}")
                    elif which == "alert" and any(
                        text in element.alert.body for text in ERROR_TEXTS
                    ):
                        errors.append(element.alert.body[:120])
                    elif which == "heading" and title is None:
                        title = element.heading.body
            elif kind == "script_finished":
                if message.script_finished == finished.FINISHED_EARLY_FOR_RERUN:
                    continue
                if message.script_finished != finished.FINISHED_SUCCESSFULLY:
                    errors.append(f"script finished with {message.script_finished}")
                return RunResult(time.perf_counter() - started, errors, tabs_id, title)


async def _analyst(ws_url: str, leads: Sequence[int], start: asyncio.Event) -> Analyst:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    result = Analyst()
    await start.wait()
    try:
        async with connect(
            ws_url,
            subprotocols=[PROTOCOL],
            max_size=None,
            open_timeout=RUN_TIMEOUT,
            ping_interval=None,  # a busy server answers late: the run's own timeout decides
        ) as socket:
            session = Session(socket)
            for lead in leads:
                opened = await session.run(f"lead={lead}")
                result.opens.append(opened.seconds)
                result.errors += opened.errors
                if opened.title != f"Lead {lead}":
                    result.errors.append(f"lead {lead}: the page showed {opened.title!r}")
                if opened.tabs_id is None:
                    result.errors.append(f"lead {lead}: no tabs")
                    continue
                for name in TABS:
                    switched = await session.run(f"lead={lead}", [(opened.tabs_id, name)])
                    result.switches.append(switched.seconds)
                    result.errors += switched.errors
    except (TimeoutError, OSError, ConnectionClosed) as error:
        result.errors.append(f"{type(error).__name__}: {error}")
    return result


@dataclass(frozen=True)
class LoadResult:
    users: int
    opens: tuple[float, ...]
    switches: tuple[float, ...]
    errors: tuple[str, ...]
    cpu_seconds: float
    rss_before: float
    rss_peak: float
    rss_after: float
    wall_seconds: float

    @property
    def median(self) -> float:
        return statistics.median(self.opens) if self.opens else float("nan")

    @property
    def p95(self) -> float:
        if len(self.opens) < 2:
            return self.opens[0] if self.opens else float("nan")
        return statistics.quantiles(self.opens, n=20, method="inclusive")[-1]

    @property
    def cpu_per_open(self) -> float:
        return self.cpu_seconds / max(1, len(self.opens))


async def _sample_rss(server: Server, stop: asyncio.Event, peak: list[float]) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], server.rss_mib())
        await asyncio.sleep(0.1)


async def _load(server: Server, users: int, leads_each: int, offset: int) -> LoadResult:
    ws_url = server.url.replace("http", "ws", 1) + "/_stcore/stream"
    start = asyncio.Event()
    plans = [
        [FIRST_LEAD + (offset + user * leads_each + n) * LEAD_STRIDE for n in range(leads_each)]
        for user in range(users)
    ]
    tasks = [asyncio.create_task(_analyst(ws_url, plan, start)) for plan in plans]
    rss_before = server.rss_mib()
    peak = [rss_before]
    stop = asyncio.Event()
    sampler = asyncio.create_task(_sample_rss(server, stop, peak))
    cpu_before = server.cpu_seconds()
    started = time.perf_counter()
    start.set()
    analysts = await asyncio.gather(*tasks)
    wall = time.perf_counter() - started
    cpu = server.cpu_seconds() - cpu_before
    stop.set()
    await sampler
    await asyncio.sleep(DISCONNECTED_SESSION_TTL + 3)  # closed sessions are dropped
    return LoadResult(
        users=users,
        opens=tuple(t for analyst in analysts for t in analyst.opens),
        switches=tuple(t for analyst in analysts for t in analyst.switches),
        errors=tuple(e for analyst in analysts for e in analyst.errors),
        cpu_seconds=cpu,
        rss_before=rss_before,
        rss_peak=peak[0],
        rss_after=server.rss_mib(),
        wall_seconds=wall,
    )


async def _idle_sessions(server: Server, count: int) -> tuple[float, float]:
    """MiB per idle session (open, the same lead shown, then idle) and MiB left after they
    end. One session first, so one-time allocations are not counted."""
    from websockets.asyncio.client import connect

    ws_url = server.url.replace("http", "ws", 1) + "/_stcore/stream"
    sockets = []

    async def open_one() -> None:
        socket = await connect(ws_url, subprotocols=[PROTOCOL], max_size=None, ping_interval=None)
        sockets.append(socket)
        await Session(socket).run(f"lead={FIRST_LEAD}")

    await open_one()
    await asyncio.sleep(1)
    before = server.rss_mib()
    for _ in range(count):
        await open_one()
    await asyncio.sleep(1)
    held = server.rss_mib()
    for socket in sockets[1:]:
        await socket.close()
    await asyncio.sleep(DISCONNECTED_SESSION_TTL + 5)
    after = server.rss_mib()
    await sockets[0].close()
    return (held - before) / count, after - before


@dataclass(frozen=True)
class Report:
    results: tuple[LoadResult, ...]
    idle_session_mib: float
    left_after_end_mib: float
    load_before: str
    load_after: str


def measure(
    users: Sequence[int] = USERS, leads_each: int = 2, profile: Path | None = None
) -> Report:
    load_before = Path("/proc/loadavg").read_text().strip()
    with served(profile) as server:
        results = []
        offset = 0
        # One warm-up visitor: the server's first run imports the app (a cold start is its
        # own benchmark); it opens leads nobody else opens.
        asyncio.run(_load(server, 1, 1, offset=10_000 // LEAD_STRIDE))
        for count in users:
            results.append(asyncio.run(_load(server, count, leads_each, offset)))
            offset += count * leads_each
        idle, left = asyncio.run(_idle_sessions(server, IDLE_SESSIONS))
    return Report(
        tuple(results), idle, left, load_before, Path("/proc/loadavg").read_text().strip()
    )


def print_report(report: Report) -> None:
    print(
        f"{'analysts':>8}  {'opens':>5}  {'median':>7}  {'p95':>7}  {'switch':>7}  "
        f"{'errors':>6}  {'CPU/open':>8}  {'memory MiB (before/peak/after)':>30}"
    )
    for result in report.results:
        switch = statistics.median(result.switches) if result.switches else float("nan")
        print(
            f"{result.users:>8}  {len(result.opens):>5}  {result.median:>6.2f}s  "
            f"{result.p95:>6.2f}s  {switch:>6.2f}s  {len(result.errors):>6}  "
            f"{result.cpu_per_open:>7.3f}s  "
            f"{result.rss_before:>9.0f} / {result.rss_peak:.0f} / {result.rss_after:.0f}"
        )
        for error in sorted(set(result.errors))[:5]:
            print(f"          error: {error}")
    print(
        f"idle session: {report.idle_session_mib:.1f} MiB each; "
        f"{report.left_after_end_mib:+.1f} MiB left after {IDLE_SESSIONS} ended"
    )
    print(f"load average before: {report.load_before}; after: {report.load_after}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__)
    parser.add_argument("--users", type=int, action="append", help="analysts (repeatable)")
    parser.add_argument("--leads", type=int, default=2, help="leads each analyst opens")
    parser.add_argument("--profile", type=Path, help="run the server under py-spy into DIR")
    args = parser.parse_args(argv)
    report = measure(tuple(args.users or USERS), args.leads, args.profile)
    print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
