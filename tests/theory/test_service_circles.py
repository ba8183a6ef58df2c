"""Walking-range coverage of 15-minute service circles against hand geometry.

A zone's residents are spread evenly over a disc; the covered share is the part
of that disc within walking range of a centre: areas of circles and lenses.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.engine.services.circles import RINGS, Coverage, lens_area
from sim.engine.town import simulate
from sim.scenario import load_scenario_text


def test_centre_at_the_centroid_covers_a_quarter_of_a_2_km_disc() -> None:
    # Walk 1 km, radius 2 km: pi 1^2 / (pi 2^2) = 1/4.
    assert Coverage([(0.0, 0.0, 2.0)], [(0.0, 0.0)], 1.0).share(0, [0]) == pytest.approx(0.25, abs=1e-12)


def test_two_centres_at_one_point_cover_the_same_quarter_on_the_grid() -> None:
    # Two centres take the polar-grid path; rings sit at 2 sqrt((i + 1/2) / RINGS),
    # within 1 km for i + 1/2 <= RINGS / 4: exactly a quarter of the rings.
    cov = Coverage([(0.0, 0.0, 2.0)], [(0.0, 0.0), (0.0, 0.0)], 1.0)
    assert RINGS % 4 == 0
    assert cov.share(0, [0, 1]) == pytest.approx(0.25, abs=1e-12)


def test_centre_on_the_rim_of_a_unit_disc_covers_the_lens_of_two_unit_circles() -> None:
    # Two unit circles one apart overlap in 2 pi / 3 - sqrt(3) / 2.
    expected = (2 * math.pi / 3 - math.sqrt(3) / 2) / math.pi
    assert lens_area(1.0, 1.0, 1.0) == pytest.approx(2 * math.pi / 3 - math.sqrt(3) / 2)
    assert Coverage([(0.0, 0.0, 1.0)], [(1.0, 0.0)], 1.0).share(0, [0]) == pytest.approx(expected)


def test_out_of_range_and_enclosing_centres() -> None:
    cov = Coverage([(0.0, 0.0, 2.0)], [(3.5, 0.0), (1.0, 0.0)], 1.0)
    assert cov.share(0, [0]) == 0.0  # 3.5 km > 2 + 1
    assert Coverage([(0.0, 0.0, 2.0)], [(1.0, 0.0)], 5.0).share(0, [0]) == 1.0  # 5 >= 1 + 2


def test_grid_union_of_two_disjoint_lenses_is_their_sum() -> None:
    # Centres at (+-1.5, 0), walk 1: their ranges do not meet, so the union is
    # twice one lens of circles of radii 2 and 1 at 1.5 apart; the grid is
    # accurate to about 1 / RINGS.
    cov = Coverage([(0.0, 0.0, 2.0)], [(-1.5, 0.0), (1.5, 0.0)], 1.0)
    expected = 2 * lens_area(2.0, 1.0, 1.5) / (4 * math.pi)
    assert cov.share(0, [0, 1]) == pytest.approx(expected, abs=1.0 / RINGS)


SCENARIO = """
name: circles
horizon: {start: 2019-01-01, end: 2020-12-31}
seed: 3
zones:
  - id: town
    radius_km: 1.0
    initial_population: {residents: 400, age_shares: {0-59: 0.8, 60-99: 0.2}}
  - id: village
    x_km: 20.0
    radius_km: 2.0
    initial_population: {residents: 400, age_shares: {0-59: 0.8, 60-99: 0.2}}
demography:
  tfr: 1.0
  fertility_age_shares: {20-29: 0.5, 30-39: 0.5}
  mortality: {gompertz: {a: 4.0e-5, b: 0.09}, infant: 0.005}
facilities:
  - {id: town_centre, service: service_centre, zone: town, capacity: {units: 1000}}
  - id: village_station
    service: service_centre
    zone: village
    capacity: {units: 1000}
    opens: 2020-01-01
    categories: [government, health]
"""


def test_categories_and_opening_dates_in_the_simulated_shares() -> None:
    r = simulate(load_scenario_text(SCENARIO, "circles.yaml"))
    cov = r.tables["coverage"]
    late = cov["date"] == r.dates[-1]

    def share(zone: str, category: str, rows: np.ndarray) -> float:
        pick = rows & (cov["zone"] == zone) & (cov["category"] == category)
        return float(cov["share"][pick][0])

    first = cov["date"] == r.dates[0]
    assert share("town", "all", first) == 1.0  # walk 1 km covers a 1 km disc
    assert share("village", "government", first) == 0.0  # not yet open
    assert share("village", "government", late) == pytest.approx(0.25)
    assert share("village", "health", late) == pytest.approx(0.25)
    assert share("village", "convenience", late) == 0.0
    assert share("village", "all", late) == 0.0
    assert share("village", "any", late) == pytest.approx(0.25)  # within range of any centre
    # Coverage is reported as coverage, not as demand that could go unmet.
    assert "service_centre" not in r.services
    residents = r.total_residents()[-1]
    np.testing.assert_array_equal(cov["residents"][late & (cov["category"] == "all")], residents)
