"""The app's page scripts, named once: for `st.page_link`, `st.switch_page` and the tests."""

from __future__ import annotations

from typing import Final

CAMPAIGNS: Final = "app.py"
"""The Campaigns page, the entry point (`streamlit run app.py`)."""
LEADS: Final = "pages/1_Leads.py"
"""One campaign's leads (`/Leads?campaign=<id>`)."""
LEAD: Final = "pages/2_Lead.py"
"""The Lead Data view of one lead (`/Lead?lead=<id>`)."""
