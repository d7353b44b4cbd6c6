"""The connection doctor: can Lead Lens work with this Convertr enterprise, and what differs?

Its rooms: `table` (what the app uses: every endpoint, its model, scope and needed filters),
`probe` (sign in, one small GET per endpoint, a 404), `report` (probes, dialect, gaps, the
verdict, JSON and the text table) and `settings` (the secrets files the app reads too).

Usage::

    python -m lib.cli doctor               # a table on stdout (lib/cli/doctor.py)
    python -m lib.cli doctor --json FILE   # the same report as JSON, for a support ticket

It uses the app's own settings (``CONVERTR_BASE_URL``, ``CONVERTR_USERNAME``,
``CONVERTR_PASSWORD`` or ``CONVERTR_TOKEN``, ``CONVERTR_STATUS_CODES``, from the environment
and then from ``.streamlit/secrets.toml``; without a base URL the embedded sandbox). It signs
in, sends ONE small request (one item per page, or one item) to every endpoint the app reads,
through the client's own code path, and GETs a surely missing lead to see how the server
spells errors. For each endpoint it shows the HTTP status, the time, the ``hydra:`` spelling,
whether the collection is counted (``totalItems``) or partially paginated, the filters the
server advertises (``search``) against the filters the app sends, and the fields whose shape
differed from the models. Then it names the API Platform dialect it infers and, for each gap,
what the app does about it.

Exit 0 when the app can work (gaps that only reduce a feature are warnings), 1 with a one-line
reason on stderr when it cannot: no sign-in, an essential endpoint (``users/me``,
``campaigns``, ``leads``, ``leads/{id}``) failing, or a lead the models cannot read.

Neither the table nor the JSON holds a password, a token, a username or any lead value: only
endpoint and field names, statuses, shapes and timings (paths are shown as templates, so not
even ids appear). The doctor never writes: every probe is a GET.
"""

from __future__ import annotations

from lib.convertr.doctor.probe import (
    MISSING_LEAD_ID,
    run_doctor,
    sign_in,
)
from lib.convertr.doctor.report import (
    EXIT_CANNOT_WORK,
    EXIT_WORKS,
    REPORT_VERSION,
    SEVERITY_ORDER,
    TABLE_HEADER,
    Dialect,
    DoctorReport,
    Gap,
    Probe,
    SignIn,
    render_text,
)
from lib.convertr.doctor.settings import (
    SECRETS_FILES,
    read_secrets_files,
)
from lib.convertr.doctor.table import (
    ENDPOINTS,
    Endpoint,
    Need,
    Outcome,
    Scope,
    Severity,
)

__all__ = [
    "ENDPOINTS",
    "EXIT_CANNOT_WORK",
    "EXIT_WORKS",
    "MISSING_LEAD_ID",
    "REPORT_VERSION",
    "SECRETS_FILES",
    "SEVERITY_ORDER",
    "TABLE_HEADER",
    "Dialect",
    "DoctorReport",
    "Endpoint",
    "Gap",
    "Need",
    "Outcome",
    "Probe",
    "Scope",
    "Severity",
    "SignIn",
    "read_secrets_files",
    "render_text",
    "run_doctor",
    "sign_in",
]
