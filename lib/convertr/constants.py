"""Named constants of the Convertr v4 client: paths, timeouts, retry and paging limits."""

from __future__ import annotations

from typing import Final

API_PREFIX: Final = "/api/v4"
"""Every resource lives under this path."""
LOGIN_PATH: Final = "/api/login"
"""Form-encoded username/password login (outside the v4 prefix, as on the platform)."""
LOGOUT_PATH: Final = "/api/logout"
"""Ends a token on the server (assumed: not in the public docs; a 404 means the server has no
such endpoint, and the token is then only forgotten by the client)."""
REFRESH_GRANT: Final = "refresh_token"
"""``grant_type`` of a renewal posted to LOGIN_PATH with the login's ``refresh_token``."""

IN_PROCESS_BASE_URL: Final = "http://in-process"
"""Base URL of a client handed a transport but no base URL: a server in the same process
(never resolved, the transport serves it; which server it is, the client never knows)."""

DEFAULT_TIMEOUT: Final = 15.0
"""Seconds allowed for reading, writing and waiting for a pooled connection."""
CONNECT_TIMEOUT: Final = 5.0
"""Seconds allowed to open a TCP/TLS connection (an unknown host fails fast)."""
REQUEST_DEADLINE: Final = 10.0
"""Seconds one request may take in all: connecting, waiting, reading, every retry and every
pause between retries. Ten seconds is about as long as a person waits for a page before
assuming it is broken; a healthy answer takes well under a second, so the deadline binds only
on a stalled, trickling or unreachable server, which is then reported within it."""
DOSSIER_DEADLINE: Final = 20.0
"""Seconds a whole lead dossier may take. Its three dependent waves take under a second each
on a healthy API; twenty seconds leaves room for two slow waves while a stalled server is
still reported at the request deadline of the first request it stalls."""
MAX_RESPONSE_BYTES: Final = 32 * 1024 * 1024
"""Largest decoded body read from one answer (a full page of 500 leads with their values is
around 2-3 MB): a bigger or endless body, or a gzip bomb, is refused instead of filling memory."""

MAX_CONNECTIONS: Final = 32
"""Connection pool size: a dossier has up to ~20 requests in flight at once."""
MAX_KEEPALIVE_CONNECTIONS: Final = 32
DOSSIER_WORKERS: Final = 32
"""Threads a dossier load uses. With campaign and email known, all three groups of parts
can be in flight together (6 + 5 + 5 requests);
a smaller pool would queue some of them behind a whole round trip."""

MAX_RETRIES: Final = 3
"""Resends of an idempotent request after a connection error or 429/502/503/504."""
RETRY_BACKOFF_FACTOR: Final = 0.5
"""httpx-retries' backoff factor: the n-th wait is at most factor x 2**n seconds (1 s, 2 s, 4 s,
...), drawn between 0 and that (full jitter)."""
MAX_RETRY_DELAY: Final = 10.0
"""Cap of one backoff or Retry-After wait, in seconds."""
MAX_TOTAL_RETRY_DELAY: Final = 30.0
"""Cap of all waits of one request together, in seconds."""
RETRY_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS"})
RETRY_STATUSES: Final = frozenset({429, 502, 503, 504})

TOKEN_RENEWAL_MARGIN: Final = 60.0
"""Seconds before a token's expiry at which the client logs in again."""

ITEMS_PER_PAGE: Final = 30
"""The API's default page size."""
MAX_ITEMS_PER_PAGE: Final = 500
"""The API's largest page size, used by the fetch-everything helpers."""
CHRONOLOGY_ITEMS_PER_PAGE: Final = 5000
"""lead-statistics-chronologies pages are larger (docs/api.md): a row per campaign and day."""
MAX_PAGES: Final = 200
"""Pages a fetch-everything helper follows before it gives up (500 x 200 = 100 000 items)."""

STATUS_CAUTION_SHARE: Final = 0.8
"""The public scoring rule: 100% of maxScore is Valid, from this share up to (not including)
100% is Caution, under it Invalid; a failed hardfail job is Invalid whatever the score."""
PROBE_ITEMS_PER_PAGE: Final = 1
"""Page size of the one small request that learns a collection's shape (status encoding,
advertised filters) before the client depends on it."""
