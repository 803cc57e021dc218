"""scenat in the browser: ``scenat app`` or ``streamlit run app/main.py``.

A thin layer over the scenat API for consultants: load a case (a shipped example or an
uploaded workbook), see where its carbon and resource use sit, rank low-carbon
interventions with their own weights and budget, and download a report.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
try:
    import scenat  # noqa: F401
except ImportError:  # running from a checkout without scenat installed
    sys.path.insert(0, str(HERE.parent))

import streamlit as st  # noqa: E402
from scenat_app import session  # noqa: E402

st.set_page_config(
    page_title="scenat · supply-chain assessment",
    page_icon=":material/eco:",
    layout="wide",
    initial_sidebar_state="expanded",
)

PAGES = [
    st.Page("views/case.py", title="Case", icon=":material/folder_open:", default=True),
    st.Page("views/supply_chain.py", title="Supply chain", icon=":material/account_tree:"),
    st.Page("views/hotspots.py", title="Hotspots", icon=":material/local_fire_department:"),
    st.Page("views/interventions.py", title="Interventions", icon=":material/trending_down:"),
    st.Page("views/report.py", title="Report", icon=":material/description:"),
    st.Page("views/submissions.py", title="Submissions", icon=":material/inbox:"),
]

# Metric cards: numbers with their units, wrapped rather than cut off.
st.html(
    """<style>
    [data-testid="stMetricValue"] { font-size: 1.7rem; }
    [data-testid="stMetricValue"], [data-testid="stMetricValue"] * {
        white-space: normal !important; overflow: visible !important;
        text-overflow: clip !important; overflow-wrap: anywhere; }
    [data-testid="stMetricLabel"] p { font-weight: 600; }
    </style>"""
)

page = st.navigation(PAGES)
try:
    session.sidebar()
    page.run()
except Exception as err:  # shown as a message, never as a stack trace
    session.show_error(err)
