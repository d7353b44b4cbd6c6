"""Where the time above the latencies goes in a dossier load.

Run as ``python -m benchmarks.profile_dossier``. Serves the sandbox with injected latency (as
``benchmarks.dossier`` does), loads a few dossiers from a bare id, and prints:

- a timeline of the critical path of one load: for each part, when it was submitted, when a
  worker picked it up, when its answer arrived, how long the JSON decoding and the model
  validation took, and when the dossier loop noticed it;
- the local work per part, summed over every load (median per load): waiting for the answer
  (latency, network and the sandbox's CPU), decoding, validating, the rest;
- the sandbox's own CPU per request, measured in-process without latency;
- with ``--cprofile``, the top functions of the client's worker threads by own time.

Instrumentation only wraps the client's methods; nothing in ``lib`` changes.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final

import httpx
from pydantic import SecretStr

from benchmarks.dossier import LATENCY_MS, served_sandbox
from lib.connect import connect, demo_catalogue, sandbox_transport
from lib.convertr import ClientConfig, ConvertrClient, load_dossier
from lib.convertr import base_client as base_client_module
from lib.convertr import dialect as dialect_module
from lib.convertr import dossier as dossier_module
from lib.convertr import hydra as hydra_module
from lib.convertr import signin as signin_module
from lib.convertr import transport as transport_module
from lib.convertr.client import network_transport
from lib.convertr.dossier import Part

LEAD_IDS: Final = (100001, 100002, 100003, 100004, 100005)
REPEATS: Final = 3
TOP_FUNCTIONS: Final = 25


@dataclass
class PartTiming:
    part: str
    submitted: float = 0.0
    started: float = 0.0
    finished: float = 0.0
    noticed: float = 0.0
    send: float = 0.0
    """Time inside ``_send`` (request out, answer in, body read)."""
    decode: float = 0.0
    parse: float = 0.0
    collection: float = 0.0


@dataclass
class LoadTrace:
    began: float = 0.0
    ended: float = 0.0
    parts: dict[str, PartTiming] = field(default_factory=dict)


_current = threading.local()
_lock = threading.Lock()
_trace = LoadTrace()


def _phase(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        timing: PartTiming | None = getattr(_current, "timing", None)
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            if timing is not None:
                setattr(timing, name, getattr(timing, name) + time.perf_counter() - started)

    return timed


@contextmanager
def instrumented(profiles: list[cProfile.Profile] | None) -> Iterator[None]:
    """Wrap the client's phases and the dossier's submit/record with timers."""
    sender, dialect = transport_module.Sender, dialect_module.Dialect
    load = dossier_module._DossierLoad
    saved: dict[str, Any] = {
        "send": sender.send,
        "json_or_none": hydra_module.json_or_none,
        "parse_items": dialect.parse_items,
        "collection": dialect.collection,
    }
    saved_submit, saved_record = load.submit, load.record
    saved_register, saved_call = load.register, load.__dict__["call"]
    chained: dict[Any, PartTiming] = {}

    def register(self: Any, part: Part) -> Any:
        timing = PartTiming(part, submitted=time.perf_counter())
        with _lock:
            _trace.parts[part] = timing
        future = saved_register(self, part)
        chained[future] = timing
        return future

    def call(future: Any, fetch: Callable[..., Any], *args: Any, then: Any = None) -> Any:
        timing = chained.get(future)
        if timing is None:
            return saved_call.__func__(future, fetch, *args, then=then)
        timing.started = time.perf_counter()
        _current.timing = timing
        try:
            return saved_call.__func__(future, fetch, *args, then=then)
        finally:
            _current.timing = None
            timing.finished = time.perf_counter()

    local_profile = threading.local()

    def submit(self: Any, part: Part, fetch: Callable[..., Any], *args: Any) -> None:
        timing = PartTiming(part, submitted=time.perf_counter())
        with _lock:
            _trace.parts[part] = timing

        def run(*inner: Any) -> Any:
            timing.started = time.perf_counter()
            _current.timing = timing
            profile: cProfile.Profile | None = None
            if profiles is not None:
                profile = getattr(local_profile, "profile", None)
                if profile is None:
                    profile = local_profile.profile = cProfile.Profile()
                    with _lock:
                        profiles.append(profile)
                profile.enable()
            try:
                return fetch(*inner)
            finally:
                if profile is not None:
                    profile.disable()
                _current.timing = None
                timing.finished = time.perf_counter()

        saved_submit(self, part, run, *args)

    def record(self: Any, part: Part, future: Any) -> None:
        with _lock:
            timing = _trace.parts.get(part)
        if timing is not None:
            timing.noticed = time.perf_counter()
        saved_record(self, part, future)

    sender.send = _phase("send", saved["send"])  # type: ignore[method-assign]
    for module in (base_client_module, signin_module):  # both read answers with it
        setattr(module, "json_or_none", _phase("decode", saved["json_or_none"]))  # noqa: B010
    dialect.parse_items = _phase("parse", saved["parse_items"])  # type: ignore[method-assign]
    dialect.collection = _phase("collection", saved["collection"])  # type: ignore[method-assign]
    load.submit = submit  # type: ignore[method-assign]
    load.record = record  # type: ignore[method-assign]
    load.register = register  # type: ignore[method-assign]
    load.call = staticmethod(call)  # type: ignore[method-assign]
    try:
        yield
    finally:
        sender.send = saved["send"]  # type: ignore[method-assign]
        for module in (base_client_module, signin_module):
            setattr(module, "json_or_none", saved["json_or_none"])  # noqa: B010
        dialect.parse_items = saved["parse_items"]  # type: ignore[method-assign]
        dialect.collection = saved["collection"]  # type: ignore[method-assign]
        load.submit = saved_submit  # type: ignore[method-assign]
        load.record = saved_record  # type: ignore[method-assign]
        load.register = saved_register  # type: ignore[method-assign]
        load.call = saved_call  # type: ignore[method-assign]


def traced_load(client: ConvertrClient, lead_id: int) -> LoadTrace:
    global _trace
    _trace = LoadTrace()
    _trace.began = time.perf_counter()
    load_dossier(client, lead_id)
    _trace.ended = time.perf_counter()
    return _trace


def print_timeline(trace: LoadTrace, latency_ms: int) -> None:
    print(f"\ntimeline of one load from a bare id ({latency_ms} ms latency), ms from the start")
    header = (
        f"{'part':<24} {'submit':>7} {'start':>7} {'send':>7} {'decode':>7} {'parse':>7} "
        f"{'coll':>6} {'done':>7} {'noticed':>8}"
    )
    print(header)
    print("-" * len(header))
    zero = trace.began
    for timing in sorted(trace.parts.values(), key=lambda item: item.submitted):
        print(
            f"{timing.part:<24} {(timing.submitted - zero) * 1000:>7.1f} "
            f"{(timing.started - zero) * 1000:>7.1f} {timing.send * 1000:>7.1f} "
            f"{timing.decode * 1000:>7.1f} {timing.parse * 1000:>7.1f} "
            f"{timing.collection * 1000:>6.1f} {(timing.finished - zero) * 1000:>7.1f} "
            f"{(timing.noticed - zero) * 1000:>8.1f}"
        )
    print(f"{'whole load':<24} {(trace.ended - zero) * 1000:>63.1f}")
    chain = [trace.parts[name] for name in ("lead", "associated_leads") if name in trace.parts]
    last = max(trace.parts.values(), key=lambda item: item.finished)
    if last not in chain:
        chain.append(last)
    print("critical path: " + " -> ".join(timing.part for timing in chain))
    for timing in chain:
        # For the chain's own parts: the time between registering and sending.
        hand_off = (timing.started - timing.submitted) * 1000
        notice = (timing.noticed - timing.finished) * 1000
        local = (timing.decode + timing.parse + timing.collection) * 1000
        wire = timing.send * 1000 - latency_ms
        rest = (timing.finished - timing.started - timing.send) * 1000 - local
        print(
            f"  {timing.part:<24} queue {hand_off:5.1f}  send-latency {wire:5.1f}  "
            f"decode+validate {local:5.1f}  other {rest:4.1f}  notice {notice:4.1f} ms"
        )


def print_totals(traces: list[LoadTrace], latency_ms: int) -> None:
    print(f"\nper part, median over {len(traces)} loads (ms)")
    header = f"{'part':<24} {'send-lat':>9} {'decode':>7} {'parse':>7} {'coll':>6} {'total':>7}"
    print(header)
    print("-" * len(header))
    per_part: dict[str, list[PartTiming]] = defaultdict(list)
    for trace in traces:
        for timing in trace.parts.values():
            per_part[timing.part].append(timing)
    sums = defaultdict(list)
    for part, timings in per_part.items():
        send = statistics.median(t.send for t in timings) * 1000 - latency_ms
        decode = statistics.median(t.decode for t in timings) * 1000
        parse = statistics.median(t.parse for t in timings) * 1000
        coll = statistics.median(t.collection for t in timings) * 1000
        total = statistics.median(t.finished - t.started for t in timings) * 1000
        for name, value in (("decode", decode), ("parse", parse), ("coll", coll)):
            sums[name].append(value)
        print(f"{part:<24} {send:>9.1f} {decode:>7.2f} {parse:>7.2f} {coll:>6.2f} {total:>7.1f}")
    walls = [(trace.ended - trace.began) * 1000 for trace in traces]
    print(
        f"local CPU per load: decode {sum(sums['decode']):.1f} ms, validate "
        f"{sum(sums['parse']):.1f} ms, collection envelope {sum(sums['coll']):.1f} ms; "
        f"wall median {statistics.median(walls):.0f} ms = "
        f"{statistics.median(walls) / latency_ms:.2f}x latency"
    )


def sandbox_cpu(urls: list[str]) -> None:
    """The sandbox's own time per request, in-process and without latency."""
    http = httpx.Client(transport=sandbox_transport(), base_url="http://s")
    login = {"username": "analyst@sandbox.test", "password": demo_catalogue().password}
    started = time.perf_counter()
    token = http.post("/api/login", data=login).json()["access_token"]
    login_ms = (time.perf_counter() - started) * 1000
    http.headers["Authorization"] = f"Bearer {token}"
    print(f"\nsandbox CPU per request (in-process, no latency; login {login_ms:.1f} ms)")
    total = 0.0
    for url in urls:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            answer = http.get(url)
            times.append((time.perf_counter() - started) * 1000)
        median = statistics.median(times)
        total += median
        print(f"  {median:6.1f} ms {len(answer.content):>8} B  {url[:90]}")
    print(f"  sum {total:.1f} ms")


class _UrlRecorder(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.urls: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            self.urls.append(str(request.url.raw_path, "ascii"))
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_dossier")
    parser.add_argument("--latency-ms", type=int, default=LATENCY_MS)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    parser.add_argument("--cprofile", action="store_true", help="profile the worker threads")
    args = parser.parse_args(argv)
    profiles: list[cProfile.Profile] | None = [] if args.cprofile else None
    recorder = _UrlRecorder(network_transport())
    traces: list[LoadTrace] = []
    with served_sandbox(args.latency_ms) as base_url:
        config = ClientConfig(
            base_url=base_url, username="analyst@sandbox.test", password=SecretStr("sandbox")
        )
        with connect(config, transport_factory=lambda _config: recorder) as client:
            started = time.perf_counter()
            client.authenticate()
            print(f"login over the network: {(time.perf_counter() - started) * 1000:.1f} ms")
            load_dossier(client, LEAD_IDS[0])  # warm the pool and the workers
            with instrumented(profiles):
                for lead_id in LEAD_IDS:
                    for _ in range(args.repeats):
                        recorder.urls.clear()
                        traces.append(traced_load(client, lead_id))
    print_timeline(traces[len(traces) // 2], args.latency_ms)
    print_totals(traces, args.latency_ms)
    sandbox_cpu(recorder.urls)
    if profiles:
        stats = pstats.Stats(profiles[0])
        for profile in profiles[1:]:
            stats.add(profile)
        print(f"\ncProfile of the worker threads, {len(traces)} loads, by own time")
        stats.sort_stats("tottime").print_stats(TOP_FUNCTIONS)
        stats.sort_stats("cumulative").print_stats(TOP_FUNCTIONS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
