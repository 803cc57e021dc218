"""Helpers of the scenat Streamlit app (``app/main.py``): case loading and session glue."""
