"""The campaign audit: every lead of a campaign checked at once (issue 19).

Pure engine (no streamlit, no client): `settings` (thresholds), `normalise` (E.164 phones,
emails, IP countries, disposable domains), `snapshot` (the DuckDB file), `signals` (one
function per signal), `clusters` (identity clusters), `scorecard` (publishers against the
campaign baseline), `run` (all of it, and what is new since the last run). `fetch` reads the
leads through the client; `report` writes the audit ZIP.
"""
