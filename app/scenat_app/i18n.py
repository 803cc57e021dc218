"""The app's languages: English and Simplified Chinese. No streamlit here.

Every text a page shows goes through a :class:`Translator` (``_("Hotspots")``): English is
the source text, and ``app/locales/zh_CN.po`` (a gettext catalogue, read with Babel) holds
its Simplified Chinese; a text missing there is shown in English (the tests check that none
is). Placeholders are named (``_("{n} nodes", n=4)``) so a translation can move them.

Numbers and money are formatted for the language's locale with Babel: ``en`` is British
English (``en_GB``), ``zh`` is ``zh_CN`` (``¥`` for yuan, ``CN¥`` in English).

>>> en, zh = Translator("en"), Translator("zh")
>>> en("Hotspots"), zh("Hotspots")
('Hotspots', '热点')
>>> zh("{n} of {m}", n=4, m=9)
'4 / 9'
>>> zh.money(1234.6, "CNY"), en.money(1234.6, "CNY"), en.money(-20000, "GBP")
('¥1,235', 'CN¥1,235', '-£20,000')
>>> en.number(53.92237), zh.number(1234567.8), en.number(0.0000123)
('53.92', '1,234,568', '1.23E-5')
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

LANGUAGES = {"en": "English", "zh": "简体中文"}
LOCALES = {"en": "en_GB", "zh": "zh_CN"}
DEFAULT = "en"
CATALOGUES = Path(__file__).resolve().parents[1] / "locales"


@functools.cache
def catalogue(language: str) -> dict[str, str]:
    """English source text -> translation, from ``locales/<locale>.po`` (empty for English)."""
    if language == DEFAULT:
        return {}
    from babel.messages.pofile import read_po

    with open(CATALOGUES / f"{LOCALES[language]}.po", "rb") as handle:
        messages = read_po(handle)
    return {m.id: m.string for m in messages if m.id and m.string and not m.fuzzy}


def language_of(value: str | None) -> str:
    """A language code from the address or the sidebar (anything unknown is English)."""
    value = (value or "").lower().replace("-", "_")
    if value.startswith("zh"):
        return "zh"
    return value if value in LANGUAGES else DEFAULT


class Translator:
    """Text, numbers and money in one language."""

    def __init__(self, language: str = DEFAULT):
        self.language = language_of(language)
        self.locale = LOCALES[self.language]
        self.messages = catalogue(self.language)

    def __call__(self, text: str, **values: object) -> str:
        translated = self.messages.get(text, text)
        return translated.format(**values) if values else translated

    def number(self, value: float | None, significant: int = 4) -> str:
        """``significant`` figures with the locale's separators; '–' for nothing."""
        from babel.numbers import format_decimal, format_scientific

        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "–"
        value = float(value)
        if math.isinf(value):
            return "∞" if value > 0 else "-∞"
        if value == 0:
            return "0"
        size = abs(value)
        if size < 1e-3:
            return format_scientific(value, "0.##E0", locale=self.locale)
        decimals = max(0, significant - 1 - math.floor(math.log10(size)))
        if decimals:  # rounding can carry into one more digit (9.9996 -> 10.00)
            rounded = abs(round(value, decimals)) or size
            decimals = max(0, significant - 1 - math.floor(math.log10(rounded)))
        if value.is_integer():
            decimals = 0
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(value, pattern, locale=self.locale)

    def quantity(self, value: float | None, unit: str, significant: int = 4) -> str:
        return f"{self.number(value, significant)} {unit}".strip()

    def money(self, value: float | None, currency: str) -> str:
        """A sum of money in whole units of ``currency`` (``¥1,235``, ``£20,000``)."""
        from babel.numbers import format_currency

        if value is None or not math.isfinite(float(value)):
            return "–"
        return format_currency(
            round(float(value)),
            currency,
            format="¤#,##0",
            locale=self.locale,
            currency_digits=False,
        )
