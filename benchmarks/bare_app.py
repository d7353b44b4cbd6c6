"""The yardstick of the first-render benchmarks: a bare Streamlit app showing one dataframe.

``benchmarks.first_render`` compares Lead Lens with it, so the machine's speed and
Streamlit's own start-up cancel out of the ratio.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

ROWS = 30

st.dataframe(pd.DataFrame({"id": range(ROWS), "value": [f"row {n}" for n in range(ROWS)]}))
