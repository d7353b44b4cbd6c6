"""Lead Lens: the Lead Data view of one lead (`/Lead?lead=<id>`)."""

from __future__ import annotations

from lib.ui import lead_page
from lib.ui.frame import run_page

run_page("Lead", lead_page.render)
