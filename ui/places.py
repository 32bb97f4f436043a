"""Province → city → district choices from the gazetteer the extractor uses (``etl.extract.regions``).

A reviewer correcting a report's region must pick a real place with the
same names and adcodes the extractor writes, or the corrected report would
not line up with the others in the charts. Municipalities (北京, 天津, 上海,
重庆) have no city level in the gazetteer; like the extractor, their city is
the municipality itself. Counties directly under a province (仙桃市) have no
city either; they are listed under ``unknown``.
"""

from __future__ import annotations

from functools import cache

from etl.extract.regions import MUNICIPALITIES, UNKNOWN, gazetteer, known_places


@cache
def _tree() -> tuple[dict[str, str], dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    """(province code → name, province code → {city code → name}, city code → {county code → name})."""
    places = known_places()
    provinces: dict[str, str] = {}
    cities: dict[str, dict[str, str]] = {}
    counties: dict[str, dict[str, str]] = {}
    for code, place in sorted(places.items()):
        if place.level == "province":
            provinces[code] = place.name
    for code, place in sorted(places.items()):
        prov = code[:2] + "0000"
        if prov not in provinces:
            continue
        if place.level == "city":
            cities.setdefault(prov, {})[code] = place.name
        elif place.level == "county":
            city = city_code_of(code)
            if city == UNKNOWN:
                city = _orphans(prov)
            counties.setdefault(city, {})[code] = place.name
            if city == prov:
                cities.setdefault(prov, {})[prov] = provinces[prov]
            elif city == _orphans(prov):
                cities.setdefault(prov, {})[city] = UNKNOWN
    return provinces, cities, counties


def _orphans(province: str) -> str:
    """Pseudo city code grouping a province's counties that belong to no city."""
    return f"{province}:{UNKNOWN}"


def city_code_of(code: str) -> str:
    """The city-level code of an adcode: the municipality itself, or ``unknown``."""
    if code[:2] in MUNICIPALITIES:
        return code[:2] + "0000"
    city = code[:4] + "00"
    return city if city in gazetteer() and gazetteer()[city].level == "city" else UNKNOWN


def provinces() -> dict[str, str]:
    """Province code → name, in adcode order."""
    return dict(_tree()[0])


def cities(province: str | None) -> dict[str, str]:
    """City code → name under a province (a municipality lists itself)."""
    return dict(_tree()[1].get(province or "", {}))


def districts(city: str | None) -> dict[str, str]:
    """County code → name under a city code from :func:`cities`."""
    return dict(_tree()[2].get(city or "", {}))


def selection_of(adcode: str | None) -> tuple[str, str, str]:
    """(province code, city code, district code) of a stored adcode; ``unknown`` where it says nothing."""
    places = known_places()
    if not adcode or adcode == UNKNOWN or adcode not in places:
        return UNKNOWN, UNKNOWN, UNKNOWN
    place = places[adcode]
    province = adcode[:2] + "0000"
    if place.level == "province":
        return province, UNKNOWN, UNKNOWN
    if place.level == "city":
        return province, adcode, UNKNOWN
    city = city_code_of(adcode)
    if city == UNKNOWN:
        city = _orphans(province)
    return province, city, adcode


def region_of(province: str, city: str, district: str) -> dict[str, str]:
    """The stored region (names as the extractor writes them, most specific adcode)."""
    names = provinces()
    p_name = names.get(province, UNKNOWN)
    c_name = cities(province).get(city, UNKNOWN) if p_name != UNKNOWN else UNKNOWN
    d_name = districts(city).get(district, UNKNOWN) if p_name != UNKNOWN else UNKNOWN
    if d_name != UNKNOWN:
        adcode = district
    elif c_name != UNKNOWN:
        adcode = city
    elif p_name != UNKNOWN:
        adcode = province
    else:
        adcode = UNKNOWN
    return {"province": p_name, "city": c_name, "district": d_name, "adcode": adcode}
