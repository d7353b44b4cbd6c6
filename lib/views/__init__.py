"""View models of the pages: what the user chose and what each page shows, built by pure
functions from the API's models (no Streamlit, no client calls), one module per page."""
