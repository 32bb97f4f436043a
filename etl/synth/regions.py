"""County-level divisions from the gazetteer shipped with ``cpca``.

The synthetic corpus has one document per county-level division and year, so
that the dashboard's maps and region filters are exercised at national scale
and every name the gazetteer holds (including the duplicated ones, 鼓楼区,
城区 …) appears in some report.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources

MUNICIPALITIES = {"11", "12", "31", "50"}  # 直辖市: the city is the province


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
        if self.city.endswith("直辖县级行政区划"):
            return ""
        return self.city


def load_counties() -> list[County]:
    """All county-level divisions, sorted by code.

    County level: the 12-digit code ends in 000000 and positions 5-6 are not
    00; the placeholder name 市辖区 is skipped.
    """
    path = resources.files("cpca").joinpath("resources/adcodes.csv")
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    names = {r["adcode"]: r["name"] for r in rows}
    out = []
    for r in rows:
        code = r["adcode"]
        if not code.endswith("000000") or code[4:6] == "00" or r["name"] == "市辖区":
            continue
        province = names[code[:2] + "0000000000"]
        city = province if code[:2] in MUNICIPALITIES else names[code[:4] + "00000000"]
        out.append(County(code[:6], province, city, r["name"]))
    out.sort(key=lambda c: c.adcode)
    return out
