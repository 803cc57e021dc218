"""Places as ISO 3166 codes: a country as alpha-2 or alpha-3 (``GB`` = ``GBR``), a subdivision
as ``CN-BJ``; pycountry holds the tables.

>>> country("GBR"), country("cn-bj"), country("GLO")
('GB', 'CN', None)
>>> within("CN-BJ", "CHN"), within("CHN", "CN-BJ"), within("CN-BJ", "CN-SH")
(True, False, False)
>>> within("DE", "EU-27"), within("GB", "EU"), within("GB", "RER")
(True, False, True)
"""

from __future__ import annotations

from functools import lru_cache

#: the member states of the European Union since 1 February 2020 (Treaty on European Union,
#: art. 52; the United Kingdom left on 31 January 2020)
EU27 = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
)
#: groups of countries that data sets use as a location: the EU, and Europe as ecoinvent's
#: "RER" (the EU with the other members of the European electricity network scenat ships)
REGIONS = {
    "EU": EU27,
    "EU-27": EU27,
    "EU27": EU27,
    "RER": EU27 | {"GB", "NO", "CH", "IS"},
    "EUROPE": EU27 | {"GB", "NO", "CH", "IS"},
}


@lru_cache(maxsize=2048)
def country(code: str | None) -> str | None:
    """The ISO 3166-1 alpha-2 code of a country, or of the country of a subdivision; None
    for a region that is no country (``GLO``, ``RER``, ``EU-27``...)."""
    import pycountry

    text = (code or "").strip().upper()
    if not text:
        return None
    head = text.split("-", 1)[0] if "-" in text else text
    found = pycountry.countries.get(alpha_2=head) if len(head) == 2 else None
    if found is None and len(head) == 3:
        found = pycountry.countries.get(alpha_3=head)
    return found.alpha_2 if found is not None else None


def normalise(code: str | None) -> str | None:
    """A country as alpha-2 and a subdivision as ``CC-XX``; other text unchanged, upper case."""
    text = (code or "").strip().upper()
    if not text:
        return None
    base = country(text)
    if base is None:
        return text
    if "-" in text:
        return f"{base}-{text.split('-', 1)[1]}"
    return base


def within(place: str | None, region: str | None) -> bool:
    """Whether ``place`` is ``region`` or lies in it (a subdivision in its country)."""
    a, b = normalise(place), normalise(region)
    if a is None or b is None:
        return False
    if b in REGIONS:
        return a == b or country(a) in REGIONS[b]
    return a == b or (a.startswith(b + "-") and "-" not in b)
