"""The request inspector: an expander at the foot of every page listing each API request
behind the view (method, path and query, status, duration, size, from the cache or not, its
dossier wave) and a waterfall of the dossier's requests.

`start()` tags this run's requests (a context variable the client's request log reads; the
dossier copies it into its workers), `render()` draws them. A view is the page and its query
parameters: a rerun that sends nothing shows the view's last requests as answered from the
cache. Secrets never appear: the log holds no header or body, redacts secret-looking query
values, and `views.requests.has_no_secret` checks each row again.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import Final

import httpx
import streamlit as st

from lib.convertr import ConvertrClient
from lib.convertr.requestlog import REQUEST_SCOPE, RequestRecord
from lib.presentation import MASKED_VALUE
from lib.ui import keys, widgets
from lib.views import column_widths
from lib.views.column_widths import Fit
from lib.views.requests import (
    ViewRequest,
    dossier_requests,
    requests_frame,
    summary,
    waterfall_frame,
)

INSPECTOR_LABEL: Final = "Request inspector"
MAX_VIEWS: Final = 20
REQUEST_FITS: Final = {
    "Method": Fit(62, 70),
    "Path": Fit(110, 280),
    "Query": Fit(70, 200),
    "Status": Fit(70, 90),
    "Duration (ms)": Fit(95, 100),
    "Size (bytes)": Fit(85, 90),
    "From cache": Fit(80, 85),
    "Wave": Fit(48, 52),
}
"""The request table's columns, fitted to the main column at 1024 px."""
"""Views whose requests the session remembers (the oldest are forgotten)."""


def start() -> None:
    """Tag the requests of this run with a scope of their own (call first in a run)."""
    scope = uuid.uuid4().hex
    st.session_state[keys.INSPECTOR_SCOPE] = scope
    REQUEST_SCOPE.set(scope)


def carry_over(client: ConvertrClient, after: int) -> bool:
    """The requests a fragment's own rerun sent (numbered above `after`, in the scope `start`
    gave it) go to the next page run's inspector, as sent by that run (the inspector is drawn
    by a page's run only). True when there were any."""
    scope = st.session_state.get(keys.INSPECTOR_SCOPE)
    sent = client.request_log.records(scope=scope, after=after) if scope else ()
    if sent:
        kept: tuple[RequestRecord, ...] = st.session_state.get(keys.INSPECTOR_CARRIED, ())
        st.session_state[keys.INSPECTOR_CARRIED] = (*kept, *sent)
    return bool(sent)


def _view_key(title: str) -> str:
    query = sorted(st.query_params.to_dict().items())
    return title + "?" + "&".join(f"{name}={value}" for name, value in query)


def view_requests(
    fresh: tuple[RequestRecord, ...], previous: tuple[RequestRecord, ...]
) -> tuple[ViewRequest, ...]:
    """This run's requests, then the view's earlier ones it did not send again (their
    answers came from the cache this time)."""
    sent = {(record.method, record.path, record.query) for record in fresh}
    kept = [
        ViewRequest(record, cached=True)
        for record in previous
        if (record.method, record.path, record.query) not in sent
    ]
    merged = [ViewRequest(record, cached=False) for record in fresh] + kept
    return tuple(sorted(merged, key=lambda request: request.record.seq))


def _remember(identity: str, view: str, requests: tuple[ViewRequest, ...]) -> None:
    """Keep the view's requests for this identity; forget every other identity's (a demo-user
    switch in the same browser must not show the previous person's requests, nor mix two
    clients' request numbers)."""
    if st.session_state.get(keys.INSPECTOR_IDENTITY) != identity:
        st.session_state[keys.INSPECTOR_IDENTITY] = identity
        st.session_state[keys.INSPECTOR_VIEWS] = {}
    stored: Mapping[str, tuple[RequestRecord, ...]] = st.session_state.get(keys.INSPECTOR_VIEWS, {})
    views = {name: records for name, records in stored.items() if name != view}
    views[view] = tuple(request.record for request in requests)
    st.session_state[keys.INSPECTOR_VIEWS] = dict(list(views.items())[-MAX_VIEWS:])


def masked_query(query: str) -> str:
    """A query with the values of the parameters that hold personal values replaced by the
    mask (for a role that sees them masked: it must not read them in the inspector either)."""
    if not query:
        return query
    params = httpx.QueryParams(query)
    return str(
        httpx.QueryParams(
            [
                (name, MASKED_VALUE if name.removesuffix("[]") in PERSONAL_PARAMS else value)
                for name, value in params.multi_items()
            ]
        )
    )


PERSONAL_PARAMS: Final = frozenset({"email", "telephone", "ip", "search", "postcode"})
"""Query parameters whose values are personal (the `leads` filters on masked fields)."""


def render(client: ConvertrClient, title: str, identity: str = "", masked: bool = False) -> None:
    """The inspector's expander for this run's view: this identity's requests only (`identity`
    is the connection's cache key); `masked` hides personal values in the queries."""
    scope = st.session_state.get(keys.INSPECTOR_SCOPE)
    fresh = client.request_log.records(scope=scope) if scope else ()
    # And those a Lead tab's own rerun sent just before this run (see `carry_over`).
    fresh = st.session_state.pop(keys.INSPECTOR_CARRIED, ()) + fresh
    if masked:
        fresh = tuple(replace(record, query=masked_query(record.query)) for record in fresh)
    view = _view_key(title)
    previous: tuple[RequestRecord, ...] = ()
    if st.session_state.get(keys.INSPECTOR_IDENTITY) == identity:
        previous = st.session_state.get(keys.INSPECTOR_VIEWS, {}).get(view, ())
    # The dossier this run shows may have been loaded by another session of the same person
    # (the dossier cache is per person): its requests are this view's too, from the cache.
    loaded: tuple[RequestRecord, ...] = st.session_state.pop(keys.INSPECTOR_LOADED, ())
    if masked:
        loaded = tuple(replace(record, query=masked_query(record.query)) for record in loaded)
    known = {record.seq for record in previous}
    previous = previous + tuple(record for record in loaded if record.seq not in known)
    requests = view_requests(fresh, previous)
    _remember(identity, view, requests)
    figures = summary(requests)
    # Tracked ("rerun"): the table and the waterfall are built and sent only while it is
    # open, not on every run of every page. Its label is constant (a tracked expander whose
    # label changes is a new widget, closed again); the figures go in a caption under it.
    inspector = st.expander(
        INSPECTOR_LABEL, icon=":material/lan:", key=keys.INSPECTOR_EXPANDER, on_change="rerun"
    )
    st.caption(figures.heading)
    if not inspector.open:
        return
    with inspector:
        if not requests:
            st.caption("This view sent no API request in this session.")
            return
        st.caption(
            f"{figures.sent} sent by this run, {figures.total - figures.sent} answered from "
            f"the cache; {figures.elapsed_ms:,.0f} ms from the first request's start to the "
            "last one's end. No header, token or password is recorded."
        )
        frame = requests_frame(requests)
        widgets.table(
            frame,
            key=keys.INSPECTOR_DOWNLOAD,
            file_name=f"requests-{title.lower()}",
            empty="No request to show.",
            budget=column_widths.PAGE_PX,
            fits=REQUEST_FITS,
        )
        loaded = dossier_requests([request.record for request in requests])
        if loaded:
            # Imported only when drawn: plotly costs every other run its import.
            from lib.charts.requests import waterfall_figure

            st.markdown("## The dossier's requests, wave by wave")
            st.caption(
                "Each bar runs from a request's start to the end of its answer. The requests "
                "of one wave start together; each wave waits for the answer it needs."
            )
            st.plotly_chart(
                waterfall_figure(waterfall_frame(loaded)),
                key=keys.INSPECTOR_WATERFALL,
                config={"displaylogo": False},
            )
