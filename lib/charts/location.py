"""Where a lead was captured: a small static map drawn here as SVG, from the country outlines
the app ships (`lib/charts/outlines/world_50m.json`, Natural Earth at 1:50m), never a tile
server or a CDN.

A static picture, not a plotly figure: the map has no hover, zoom or legend to offer, and
plotly's 4.7 MB of JavaScript and its 1.1 MB outline file cost the browser well over a
second on every first view of a lead (issue 18). The outlines are read once per process; a
map projects (Mercator, centred on the lead) and keeps only what falls in its frame.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from lib.palette import MAP_MARKER, SLATE, WHITE

OUTLINES: Final = Path(__file__).resolve().parent / "outlines" / "world_50m.json"
"""Natural Earth at 1:50m as TopoJSON (the file plotly's geo maps load): coastlines that
still read at country zoom."""
OUTLINES_CACHE: Final = OUTLINES.with_name("world_50m_outlines.npz")
"""Its land rings and borders as arrays (`write_outlines_cache`)."""
MAP_WIDTH: Final = 360
MAP_HEIGHT: Final = 240
"""The picture's frame in SVG units (it is drawn as wide as the panel, this aspect kept)."""
MAP_SPAN_DEGREES: Final = 36.0
"""Longitude across the frame: about a country's width with its neighbours around it."""
LAND: Final = "#EEF1F6"
WATER: Final = WHITE
OUTLINE_WIDTH: Final = 0.7
MARKER_RADIUS: Final = 7.0
MARKER_RING: Final = 2.0
MAX_LATITUDE: Final = 85.0
"""Mercator's edge: the poles are infinitely far away."""
MARGIN: Final = 20.0
"""SVG units around the frame kept when cutting shapes to it (the frame clips the rest)."""
STEP: Final = MARGIN / 2
"""Longest segment before cutting: longer ones get points in between, so cutting a shape to
the frame plus its margin never changes what the frame shows (a segment shorter than the
margin cannot reach the frame from beyond the margin)."""
GRID: Final = 1.0
"""Coordinates rounded to 1/GRID of a unit (the picture is drawn at about 0.75 px a unit)."""
CELL: Final = 2.0
"""Consecutive points within one cell of this size are one point."""

Points = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Shape:
    """A land ring or an outline: longitude and latitude points and their bounding box."""

    points: Points
    west: float
    south: float
    east: float
    north: float


@dataclass(frozen=True)
class Outlines:
    land: tuple[Shape, ...]
    """Closed rings, filled (holes are rings too: even-odd filling)."""
    borders: tuple[Shape, ...]
    """Borders between countries, each drawn once (the coasts are the land's outline)."""


def _decoded_arcs(topology: dict[str, Any]) -> list[Points]:
    """TopoJSON's arcs as absolute longitude/latitude points (they are quantised and stored
    as differences)."""
    scale = np.asarray(topology["transform"]["scale"], dtype=np.float64)
    translate = np.asarray(topology["transform"]["translate"], dtype=np.float64)
    arcs: list[list[list[int]]] = topology["arcs"]
    lengths = np.fromiter(map(len, arcs), dtype=np.int64, count=len(arcs))
    flat = np.array(list(itertools.chain.from_iterable(arcs)), dtype=np.float64)
    # A running sum over all arcs, less the sum up to each arc's start: each arc's own sum.
    summed = np.cumsum(flat, axis=0)
    ends = np.cumsum(lengths)
    starts = ends - lengths
    before = np.zeros_like(summed[:1])
    points = summed * scale + translate
    offsets = np.vstack([before, summed[starts[1:] - 1]]) * scale
    return [
        points[start:end] - offset for start, end, offset in zip(starts, ends, offsets, strict=True)
    ]


def _unwrapped(points: Points, *, closed: bool) -> Points:
    """Longitudes made continuous where a shape crosses the 180th meridian (the file jumps
    from 180 to -180). A ring that goes round a pole (Antarctica) is closed over it."""
    longitudes = points[:, 0]
    if float(longitudes.max() - longitudes.min()) <= 180:  # most shapes: nothing to do
        return points
    unwrapped = np.column_stack([np.unwrap(longitudes, period=360.0), points[:, 1]])
    turned = unwrapped[-1, 0] - unwrapped[0, 0]
    if closed and abs(turned) > 180:
        pole = math.copysign(90.0, float(unwrapped[:, 1].mean()))
        over = [[unwrapped[-1, 0], pole], [unwrapped[0, 0], pole], unwrapped[0].tolist()]
        unwrapped = np.vstack([unwrapped, over])
    return unwrapped


def _shape(points: Points) -> Shape:
    west, south = points.min(axis=0)
    east, north = points.max(axis=0)
    return Shape(points, float(west), float(south), float(east), float(north))


def _ring(arcs: list[Points], indices: list[int]) -> Points:
    parts = [arcs[index] if index >= 0 else arcs[~index][::-1] for index in indices]
    # Each arc starts where the previous one ended: that point once.
    return np.vstack([parts[0], *(part[1:] for part in parts[1:])])


def _polygons(geometry: dict[str, Any]) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["arcs"])
    return []


def outlines_from_topology(topology: dict[str, Any]) -> Outlines:
    """The land rings and the borders of a TopoJSON world (`world_50m.json`'s layout)."""
    arcs = _decoded_arcs(topology)
    objects = topology["objects"]
    land = [
        _shape(_unwrapped(_ring(arcs, ring), closed=True))
        for geometry in objects["land"]["geometries"]
        for polygon in _polygons(geometry)
        for ring in polygon
    ]
    # An arc two countries share is a border; the coasts are the land's own edge.
    uses: Counter[int] = Counter()
    for geometry in objects["countries"]["geometries"]:
        for polygon in _polygons(geometry):
            for ring in polygon:
                uses.update(index if index >= 0 else ~index for index in ring)
    borders = sorted(index for index, count in uses.items() if count > 1)
    return Outlines(
        tuple(land), tuple(_shape(_unwrapped(arcs[index], closed=False)) for index in borders)
    )


def _packed(shapes: tuple[Shape, ...]) -> dict[str, Points]:
    return {
        "points": np.vstack([shape.points for shape in shapes]).astype(np.float32),
        "ends": np.cumsum([len(shape.points) for shape in shapes]).astype(np.int64),
    }


def write_outlines_cache(topology_file: Path = OUTLINES, target: Path = OUTLINES_CACHE) -> None:
    """Write the land and borders of `topology_file` as arrays, read in milliseconds where
    parsing the 1.1 MB of JSON took a fresh server 0.1-0.2 s on its first map. Run after
    replacing the outlines: `python -c "from lib.charts.location import
    write_outlines_cache as w; w()"`; tests/charts checks the two agree."""
    shapes = outlines_from_topology(json.loads(topology_file.read_text(encoding="utf-8")))
    land, borders = _packed(shapes.land), _packed(shapes.borders)
    np.savez_compressed(
        target,
        land_points=land["points"],
        land_ends=land["ends"],
        border_points=borders["points"],
        border_ends=borders["ends"],
    )


def _unpacked(points: Points, ends: npt.NDArray[np.int64]) -> tuple[Shape, ...]:
    every = points.astype(np.float64)
    starts = np.concatenate([[0], ends[:-1]])
    lows = np.minimum.reduceat(every, starts, axis=0).tolist()
    highs = np.maximum.reduceat(every, starts, axis=0).tolist()
    return tuple(
        Shape(every[start:end], west, south, east, north)
        for start, end, (west, south), (east, north) in zip(
            starts.tolist(), ends.tolist(), lows, highs, strict=True
        )
    )


@functools.cache
def outlines() -> Outlines:
    """The land and the borders, read once per process (from the arrays written by
    `write_outlines_cache`)."""
    with np.load(OUTLINES_CACHE) as arrays:
        return Outlines(
            _unpacked(arrays["land_points"], arrays["land_ends"]),
            _unpacked(arrays["border_points"], arrays["border_ends"]),
        )


def _mercator_y(latitude: npt.NDArray[np.float64] | float) -> Any:
    clipped = np.radians(np.clip(latitude, -MAX_LATITUDE, MAX_LATITUDE))
    return np.log(np.tan(math.pi / 4 + clipped / 2))


@dataclass(frozen=True)
class _Frame:
    """The Mercator frame around (latitude, longitude): SVG units per radian, its centre, and
    the longitudes and latitudes it (with its margin) can show."""

    latitude: float
    longitude: float

    @property
    def scale(self) -> float:
        return MAP_WIDTH / math.radians(MAP_SPAN_DEGREES)

    @property
    def centre_y(self) -> float:
        return float(_mercator_y(self.latitude))

    def bounds(self) -> tuple[float, float, float, float]:
        """West, south, east, north, margin included."""
        half_width = math.degrees((MAP_WIDTH / 2 + MARGIN) / self.scale)
        half_height = (MAP_HEIGHT / 2 + MARGIN) / self.scale

        def latitude(y: float) -> float:
            return math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)

        return (
            self.longitude - half_width,
            latitude(self.centre_y - half_height),
            self.longitude + half_width,
            latitude(self.centre_y + half_height),
        )

    def project(self, points: Points, shift: float) -> Points:
        x = np.radians(points[:, 0] + shift - self.longitude) * self.scale + MAP_WIDTH / 2
        y = (self.centre_y - _mercator_y(points[:, 1])) * self.scale + MAP_HEIGHT / 2
        return np.column_stack([x, y])


def _shifts(shape: Shape, bounds: tuple[float, float, float, float]) -> list[float]:
    """The whole turns (-360, 0, 360 degrees) that bring `shape` into the frame: a frame
    near the 180th meridian shows shapes from both sides of it."""
    west, south, east, north = bounds
    if shape.north < south or shape.south > north:
        return []
    return [
        shift
        for shift in (-360.0, 0.0, 360.0)
        if shape.west + shift <= east and shape.east + shift >= west
    ]


def _densified(points: Points) -> Points:
    """Points added along segments longer than STEP."""
    steps = np.ceil(np.hypot(*np.diff(points, axis=0).T) / STEP).astype(np.int64)
    if len(steps) == 0 or steps.max() <= 1:
        return points
    steps = np.maximum(steps, 1)
    starts = np.repeat(points[:-1], steps, axis=0)
    deltas = np.repeat(np.diff(points, axis=0) / steps[:, None], steps, axis=0)
    within = np.arange(int(steps.sum())) - np.repeat(np.cumsum(steps) - steps, steps)
    return np.vstack([starts + deltas * within[:, None], points[-1:]])


def _cut(points: Points) -> Points:
    """Points clamped to the frame plus its margin, on a grid, repeats dropped: inside the
    frame the shape is unchanged (see STEP); outside, it runs along the margin's edge."""
    clamped = np.column_stack(
        [
            np.clip(points[:, 0], -MARGIN, MAP_WIDTH + MARGIN),
            np.clip(points[:, 1], -MARGIN, MAP_HEIGHT + MARGIN),
        ]
    )
    # A point is kept when it leaves the previous point's cell of the coarser grid: detail
    # finer than a pixel or so goes, the coordinates stay on the finer one.
    cells = np.floor(clamped / CELL)
    keep = np.ones(len(clamped), dtype=bool)
    keep[1:] = np.any(cells[1:] != cells[:-1], axis=1)
    keep[-1] = True
    return np.round(clamped[keep] * GRID) / GRID


def _visible(points: Points) -> bool:
    """Whether a line has a point in the frame (its segments are short: see STEP)."""
    return bool(
        np.any(
            (points[:, 0] >= 0)
            & (points[:, 0] <= MAP_WIDTH)
            & (points[:, 1] >= 0)
            & (points[:, 1] <= MAP_HEIGHT)
        )
    )


def _may_cover(points: Points) -> bool:
    """Whether a ring covers part of the frame: a point of it in the frame, or the frame
    inside it (a ring with no point in the frame either surrounds it or misses it, its
    segments being short)."""
    if _visible(points):
        return True
    # Even-odd rule for the frame's centre: the edges crossing the ray to its right.
    x, y = points[:, 0], points[:, 1]
    x2, y2 = np.roll(x, -1), np.roll(y, -1)
    centre_x, centre_y = MAP_WIDTH / 2, MAP_HEIGHT / 2
    spans = (y > centre_y) != (y2 > centre_y)
    with np.errstate(divide="ignore", invalid="ignore"):
        crossing_x = x + (centre_y - y) * (x2 - x) / (y2 - y)
    return bool(np.count_nonzero(spans & (crossing_x > centre_x)) % 2)


def _number(value: float) -> str:
    return f"{value:g}"


def _path(points: Points, *, closed: bool) -> str:
    # After the first point, pairs without a command are lines (SVG's implicit lineto).
    coordinates = " ".join(f"{_number(x)} {_number(y)}" for x, y in points.tolist())
    return f"M{coordinates}{'Z' if closed else ''}"


def _paths(frame: _Frame, shapes: tuple[Shape, ...], *, closed: bool) -> str:
    bounds = frame.bounds()
    drawn: list[str] = []
    for shape in shapes:
        for shift in _shifts(shape, bounds):
            points = _cut(_densified(frame.project(shape.points, shift)))
            shown = _may_cover(points) if closed else _visible(points)
            if len(points) >= (3 if closed else 2) and shown:
                drawn.append(_path(points, closed=closed))
    return "".join(drawn)


def location_svg(latitude: float, longitude: float) -> str:
    """An SVG map: the land and its outlines around the place, a dot on the place (numbers
    only: no text of the lead's reaches the picture). Said in words beside it by the page."""
    frame = _Frame(float(np.clip(latitude, -MAX_LATITUDE, MAX_LATITUDE)), longitude)
    shapes = outlines()
    land = _paths(frame, shapes.land, closed=True)
    borders = _paths(frame, shapes.borders, closed=False)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {MAP_WIDTH} {MAP_HEIGHT}"'
        f' width="{MAP_WIDTH}" height="{MAP_HEIGHT}">'
        f'<rect width="{MAP_WIDTH}" height="{MAP_HEIGHT}" fill="{WATER}"/>'
        f'<g stroke="{SLATE}" stroke-width="{OUTLINE_WIDTH}" stroke-linejoin="round">'
        f'<path d="{land}" fill="{LAND}" fill-rule="evenodd"/>'
        f'<path d="{borders}" fill="none"/></g>'
        f'<circle cx="{MAP_WIDTH / 2:g}" cy="{MAP_HEIGHT / 2:g}" r="{MARKER_RADIUS:g}"'
        f' fill="{MAP_MARKER}" stroke="{WHITE}" stroke-width="{MARKER_RING:g}"/>'
        "</svg>"
    )
