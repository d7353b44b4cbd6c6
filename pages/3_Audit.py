"""Lead Lens: the campaign audit, every lead of some campaigns checked at once."""

from __future__ import annotations

from lib.ui import audit_page
from lib.ui.frame import run_page

run_page("Audit", audit_page.render)
