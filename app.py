"""Lead Lens: the Campaigns page, entry point of the multipage app (`streamlit run app.py`)."""

from __future__ import annotations

from lib.ui import campaigns_page
from lib.ui.frame import run_page

run_page("Campaigns", campaigns_page.render)
