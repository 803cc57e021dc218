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

_ = session.translator()
st.set_page_config(
    page_title=_("scenat · supply-chain assessment"),
    # a file, not an emoji or icon name: those make the browser fetch the favicon from a CDN
    page_icon=str(HERE / "static" / "favicon.png"),
    layout="wide",
    # "auto": open on a wide screen, collapsed on a narrow one (a phone, a split window)
    initial_sidebar_state="auto",
)

PAGES = [
    st.Page("views/case.py", title=_("Case"), icon=":material/folder_open:", default=True),
    st.Page("views/edit.py", title=_("Edit"), icon=":material/edit:"),
    st.Page("views/supply_chain.py", title=_("Supply chain"), icon=":material/account_tree:"),
    st.Page("views/hotspots.py", title=_("Hotspots"), icon=":material/local_fire_department:"),
    st.Page("views/interventions.py", title=_("Interventions"), icon=":material/trending_down:"),
    st.Page("views/compare.py", title=_("Compare"), icon=":material/compare_arrows:"),
    st.Page("views/report.py", title=_("Report"), icon=":material/description:"),
    st.Page("views/submissions.py", title=_("Submissions"), icon=":material/inbox:"),
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
