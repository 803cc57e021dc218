"""The UI's message catalogue: every text the app shows has a Simplified Chinese
translation with the same placeholders, and numbers and money follow the locale."""

from __future__ import annotations

import ast
import doctest
import string
import sys
from pathlib import Path

import pytest

pytest.importorskip("babel")

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"
if str(APP) not in sys.path:
    sys.path.insert(0, str(APP))

from scenat_app import i18n  # noqa: E402


def _texts() -> dict[str, str]:
    """Every literal ``_("...")`` text in app/, with where it is used."""
    found: dict[str, str] = {}
    for path in sorted(APP.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "_"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.setdefault(node.args[0].value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_text_of_the_app_is_translated_with_its_placeholders():
    texts = _texts()
    assert len(texts) > 200  # the whole UI goes through the catalogue
    zh = i18n.catalogue("zh")
    missing = [f"{where}: {text!r}" for text, where in texts.items() if not zh.get(text)]
    assert missing == [], "\n".join(missing[:20])
    wrong = [t for t in texts if _fields(t) != _fields(zh[t])]
    assert wrong == [], wrong[:5]
    untranslated = [t for t in texts if zh[t] == t and any(c.isalpha() for c in t)]
    assert len(untranslated) <= 3, untranslated


def test_texts_from_data_are_translated_too():
    from scenat.model.indicators import default_indicators
    from scenat.model.schema import STAGES
    from scenat.report.client import RANKINGS

    zh = i18n.catalogue("zh")
    wanted = [i.label for i in default_indicators()]
    wanted += [s.replace("_", " ") for s in STAGES] + list(RANKINGS.values())
    assert [w for w in wanted if w not in zh] == []


def test_numbers_and_money_follow_the_locale():
    en, zh = i18n.Translator("en"), i18n.Translator("zh")
    assert en.number(9.9996) == "10.00" and en.number(1234567.8) == "1,234,568"
    assert zh.money(250000, "CNY") == "¥250,000"
    assert en.money(250000, "CNY") == "CN¥250,000"
    assert zh.money(-82500, "GBP") == "-£82,500"
    assert en.number(float("nan")) == "–" and en.number(0) == "0"
    assert i18n.language_of("zh-CN") == "zh" and i18n.language_of("fr") == "en"
    # a text without a translation is shown in English, never empty
    assert zh("no such text {n}", n=2) == "no such text 2"


def test_module_examples():
    from scenat_app import editing

    for module in (i18n, editing):
        assert doctest.testmod(module).failed == 0
