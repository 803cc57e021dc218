"""The Chinese examples in the app: they open by name, show their currency with its sign,
their places and (after the retrofit) their circularity, and the interventions page ranks
options priced in CNY like the API."""

from __future__ import annotations

import pytest

pytest.importorskip("streamlit")
pytest.importorskip("plotly")

from streamlit.testing.v1 import AppTest  # noqa: E402

from tests.app.test_pages import APP, TIMEOUT, goto, metrics  # noqa: E402


def _open(key: str, lang: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params["case"] = key
    if lang:
        at.query_params["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    return at


def test_beijing_stadium_opens_with_its_currency_places_and_circularity() -> None:
    import scenat
    from scenat.casefile import resolve_case
    from scenat.report.charts import format_quantity

    result = scenat.assess(scenat.read_case(resolve_case("beijing_stadium/beijing_stadium_after")))
    at = _open("beijing_stadium_after")
    shown = metrics(at)
    assert shown["Climate change (GWP100)"] == format_quantity(result.total("gwp100"), "kg CO2-eq")
    text = " ".join(m.value for m in at.markdown)
    assert "CNY (¥)" in text and "CN-BJ" in text
    assert shown["Material Circularity Indicator"] == f"{result.circularity.mci:.3f}"
    assert shown["Recycled content"] == f"{100 * result.circularity.recycled_content:.2f} %"


def test_ev_interventions_page_shows_yuan() -> None:
    at = goto(_open("belt_and_road_ev", lang="zh"), "interventions")
    assert not at.error
    shown = " ".join([m.value for m in at.metric] + [m.value for m in at.markdown])
    assert "¥" in shown
