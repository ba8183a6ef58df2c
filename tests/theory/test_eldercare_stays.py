"""Who seeks an eldercare bed, and how long they stay, against closed forms.

A town of elders who all need institutional care from the start (care-need
rates so high that every resident has passed both transitions by age 60), who
neither die, leave nor have children within the horizon, and beds enough for
all. Each elder seeks a bed with probability ``institutional_share`` = s, so
the number in a bed at the start is Binomial(residents, s); each stay ends by
discharge at rate ``discharge_per_year`` = d, so an elder admitted at the start
is still in a bed at time t with probability exp(-d t), independently of the
others and of the decision to seek (a stay drawn from the same number as that
decision would be short: mean far below 1/d).

Tolerances: ``K`` binomial standard errors, ``K`` the two-sided Bonferroni bound
for a family error rate of 1e-3 over the comparisons of a test (four at most).
"""

from __future__ import annotations

import datetime as dt
import math

from scipy import stats

from sim.engine.town import simulate
from sim.scenario.model import Scenario

RESIDENTS, SHARE, DISCHARGE = 4000, 0.4, 1.0
K = float(stats.norm.ppf(1 - 1e-3 / (2 * 4)))


def elders() -> Scenario:
    return Scenario.model_validate({
        "name": "stays",
        "horizon": {"start": "2019-01-01", "end": "2021-12-31"},
        "report_every": "quarter",
        "zones": [{"id": "z", "initial_population": {
            "residents": RESIDENTS, "age_shares": {"0-59": 0.0, "60-99": 1.0}}}],
        "demography": {
            "tfr": 0.0, "fertility_age_shares": {"20-29": 1.0},
            "mortality": {"gompertz": {"a": 1e-12, "b": 0.01}, "infant": 0.0},
            "care_needs": {"to_community_per_year": {"0-110": 50.0}, "to_institutional_per_year": {"0-110": 50.0}},
        },
        "housing_defaults": {"relet_months": None},
        "facilities": [{"id": "home", "service": "eldercare_bed", "zone": "z", "capacity": {"units": 100000}}],
        "services": {"eldercare_bed": {"institutional_share": SHARE, "discharge_per_year": DISCHARGE}},
    })


def test_seekers_are_the_share_and_stays_end_at_the_discharge_rate() -> None:
    r = simulate(elders(), 3)
    k = r.services.index("eldercare_bed")
    in_bed = r.series["served"][:, 0, k]
    assert r.series["waiting"][:, 0, k].max() == 0.0  # beds enough for all
    n0 = in_bed[0]
    assert abs(n0 - RESIDENTS * SHARE) <= K * math.sqrt(RESIDENTS * SHARE * (1 - SHARE))
    for when in (dt.date(2019, 7, 1), dt.date(2020, 1, 1), dt.date(2021, 1, 1)):
        t = (when - dt.date(2019, 1, 1)).days / 365.25
        p = math.exp(-DISCHARGE * t)
        got = in_bed[r.dates.index(when)]
        assert abs(got - n0 * p) <= K * math.sqrt(n0 * p * (1 - p)), (when, got, n0 * p)


def test_elders_come_to_need_institutional_care_through_both_steps_at_their_rates() -> None:
    # From age 60, community care comes at rate r1 = 1 a year and institutional
    # care after it at rate r2 = 0.1: the age past 60 at which both steps are done
    # is hypoexponential, F(s) = 1 - (r2 exp(-r1 s) - r1 exp(-r2 s)) / (r2 - r1).
    # Residents aged 60 to 61 at the start have done both by time t with
    # probability between F(t) and F(t + 1), whatever their age within the year.
    # All of them seek a bed (share 1), beds are ample and never freed, so those
    # in a bed are binomial with that probability (SE at most sqrt(n / 4)).
    n, r1, r2 = 3000, 1.0, 0.1

    def both_steps(s: float) -> float:
        return 1 - (r2 * math.exp(-r1 * s) - r1 * math.exp(-r2 * s)) / (r2 - r1)

    doc = elders().model_dump()
    doc["zones"][0]["initial_population"]["age_shares"] = {"0-59": 0.0, "60-60": 1.0}
    doc["zones"][0]["initial_population"]["residents"] = n
    doc["demography"]["care_needs"] = {"to_community_per_year": {"60-110": r1}, "to_institutional_per_year": {"60-110": r2}}
    doc["services"]["eldercare_bed"] = {"institutional_share": 1.0, "discharge_per_year": 0.0}
    res = simulate(Scenario.model_validate(doc), 4)
    k = res.services.index("eldercare_bed")
    for when in (dt.date(2020, 1, 1), dt.date(2021, 1, 1)):
        t = (when - dt.date(2019, 1, 1)).days / 365.25
        got = res.series["served"][res.dates.index(when), 0, k]
        lo, hi = n * both_steps(t), n * both_steps(t + 1)
        se = math.sqrt(n / 4)
        assert lo - K * se <= got <= hi + K * se, (when, got, lo, hi)
