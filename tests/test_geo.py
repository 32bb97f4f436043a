"""The map's boundary files: the whole country's districts come from the coarser file."""

from __future__ import annotations

import json

from ui import geo


def test_country_districts_are_the_same_regions_in_fewer_bytes() -> None:
    fine = geo.boundaries("district")["features"]
    coarse = geo.boundaries(geo.COUNTRY_DISTRICTS)["features"]
    assert len(fine) > 2500, "every county-level division has a boundary"
    assert {f["id"] for f in coarse} == {f["id"] for f in fine}
    fine_bytes = len(json.dumps(fine, separators=(",", ":")))
    coarse_bytes = len(json.dumps(coarse, separators=(",", ":")))
    assert coarse_bytes < fine_bytes / 2, (coarse_bytes, fine_bytes)
    # Coarser, yet in the same place: the country's box moves by less than the tolerance.
    for a, b in zip(geo.bounds({"features": fine}), geo.bounds({"features": coarse}), strict=True):
        assert abs(a - b) <= geo.TOLERANCE[geo.COUNTRY_DISTRICTS] + 0.01


def test_subset_picks_the_coarse_file_only_for_the_whole_country() -> None:
    assert geo.subset("district") is geo.boundaries(geo.COUNTRY_DISTRICTS)
    guangdong = geo.subset("district", "44")["features"]
    fine = {id(f) for f in geo.boundaries("district")["features"]}
    assert guangdong and all(f["id"].startswith("44") and id(f) in fine for f in guangdong)
    assert geo.subset("city")["features"] == geo.boundaries("city")["features"]


def test_bounds_are_per_feature_shape_not_per_adcode() -> None:
    """The same adcode has two shapes (fine and coarse): each gets its own box."""
    code = geo.boundaries("district")["features"][0]["id"]
    fine = next(f for f in geo.boundaries("district")["features"] if f["id"] == code)
    coarse = next(f for f in geo.boundaries(geo.COUNTRY_DISTRICTS)["features"] if f["id"] == code)
    xs = [p[0] for p in geo._points(coarse["geometry"]["coordinates"])]
    assert geo.bounds({"features": [coarse]})[0] == min(xs)
    xs = [p[0] for p in geo._points(fine["geometry"]["coordinates"])]
    assert geo.bounds({"features": [fine]})[0] == min(xs)
