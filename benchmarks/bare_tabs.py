"""The yardstick of the tab-switch benchmark: a bare Streamlit page with two tracked tabs, each
drawing one dataframe only when open (as the Lead page draws its tabs)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

ROWS = 30

first, second = st.tabs(["One", "Two"], key="bare.tabs", on_change="rerun")
for tab, name in ((first, "one"), (second, "two")):
    if tab.open:
        with tab:
            st.dataframe(pd.DataFrame({"id": range(ROWS), name: [f"row {n}" for n in range(ROWS)]}))
