"""Lead Lens: one campaign's leads, paged on the server (`/Leads?campaign=<id>`)."""

from __future__ import annotations

from lib.ui import leads_page
from lib.ui.frame import run_page

run_page("Leads", leads_page.render)
