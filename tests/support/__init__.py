"""Helpers shared by the tests (and used by the benchmarks): fakes of the API, misbehaving
servers, the sandbox test database, AppTest helpers and the browser harness.

- `sandbox`: the seeded test database (size, seed, copies) and in-process sandbox clients.
- `recording`: a transport that records (and can delay or fail) what a client sends.
- `fakes`, `signin_fakes`, `fault_servers`: a fake v4 API, a sign-in server, broken servers.
- `workbench_models`: leads, logs and notes built in memory for the pure views.
- `apptest`: Streamlit AppTest helpers (open a page, read its texts, fail chosen requests).
- `browser`: Chromium, a Streamlit server on a free port, and waits on what the page shows.
- `ports`: a free TCP port.

Tests import from here, never from `benchmarks/` or from another package's conftest.
"""
