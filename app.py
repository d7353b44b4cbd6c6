"""Lead Lens: the Campaigns page, entry point of the multipage app (`streamlit run app.py`).

Streamlit serves this file in two roles. `streamlit run app.py` finds `app` below (an
`st.App`, Streamlit's ASGI entry) and imports this module to start the server, with a
lifespan that warms the pages' modules up before the first visitor (`lib.ui.warm_up`); each
browser session then runs this file as its script, as `__main__`, and draws the page.
"""

from __future__ import annotations

if __name__ == "__main__":
    from lib.ui import campaigns_page
    from lib.ui.frame import run_page

    run_page("Campaigns", campaigns_page.render)
else:
    import streamlit as st

    from lib.ui.warm_up import lifespan

    app = st.App(__file__, lifespan=lifespan)
