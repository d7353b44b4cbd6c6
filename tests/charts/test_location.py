"""The capture map: a static SVG drawn from the shipped outlines, right across the 180th
meridian, numbers only."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest

from lib.charts.location import (
    MAP_HEIGHT,
    MAP_WIDTH,
    OUTLINES,
    OUTLINES_CACHE,
    location_svg,
    write_outlines_cache,
)


def _paths(svg: str) -> list[list[list[tuple[float, float]]]]:
    """Each path's subpaths as points."""
    drawn = []
    for data in re.findall(r'<path d="([^"]*)"', svg):
        subpaths = []
        for part in data.split("M")[1:]:
            numbers = [float(value) for value in part.rstrip("Z").split()]
            subpaths.append(list(zip(numbers[::2], numbers[1::2], strict=True)))
        drawn.append(subpaths)
    return drawn


def _longest_step(subpaths: list[list[tuple[float, float]]]) -> float:
    return max(
        (abs(x2 - x1) for points in subpaths for (x1, _), (x2, _) in itertools.pairwise(points)),
        default=0.0,
    )


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(51.53, -0.04), (-17.7, 178.0), (64.8, -172.0), (-10.0, -170.0), (-70.0, 20.0)],
)
def test_no_shape_jumps_across_the_map(latitude: float, longitude: float) -> None:
    """Near the 180th meridian the outlines jump from 180 to -180 degrees: drawn naively,
    a line runs across the whole map."""
    land, borders = _paths(location_svg(latitude, longitude))
    assert _longest_step(land) < MAP_WIDTH / 2
    assert _longest_step(borders) < MAP_WIDTH / 2


def test_the_map_shows_the_land_around_the_place_and_a_dot_on_it() -> None:
    svg = location_svg(51.53, -0.04)  # east London
    land, borders = _paths(svg)
    assert len(land) > 20 and len(borders) > 5, "Britain, Ireland and the continent"
    assert f'viewBox="0 0 {MAP_WIDTH} {MAP_HEIGHT}"' in svg
    assert re.search(rf'<circle cx="{MAP_WIDTH / 2:g}" cy="{MAP_HEIGHT / 2:g}"', svg)
    assert len(svg) < 40_000, "small enough to send with the page"
    assert not re.search(r"[^\s\w\"'=<>/:.#,\-()]", svg), "numbers and our own markup only"


def test_open_sea_is_water_only_and_inland_is_land_only() -> None:
    assert _paths(location_svg(-40.0, -130.0)) == [[], []], "the South Pacific"
    land, _ = _paths(location_svg(23.0, 15.0))  # the Sahara, far from any coast
    assert land, "the land round the whole frame is drawn"


def test_the_outline_arrays_are_the_shipped_outlines(tmp_path: Path) -> None:
    """The map reads `world_50m_outlines.npz`; it must be what the TopoJSON file holds."""
    written = tmp_path / "outlines.npz"
    write_outlines_cache(OUTLINES, written)
    with np.load(written) as fresh, np.load(OUTLINES_CACHE) as shipped:
        assert sorted(fresh.files) == sorted(shipped.files)
        for name in fresh.files:
            assert np.array_equal(fresh[name], shipped[name]), name
