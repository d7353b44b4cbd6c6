"""The fetch benchmark's judgement: rounds alternate which run goes first, and the row is
judged on the median ratio with every round reading all the leads."""

from __future__ import annotations

from benchmarks.audit import FETCH_GOAL, FETCH_ROUNDS, FetchRound, bare_goes_first, judged


def test_rounds_alternate_which_run_goes_first() -> None:
    order = [bare_goes_first(index) for index in range(FETCH_ROUNDS)]
    assert FETCH_ROUNDS >= 3 and order[:3] == [True, False, True]


def test_a_row_is_judged_on_the_median_round() -> None:
    slow_outlier = [FetchRound(1.0, 1.1, 10, 10), FetchRound(1.0, 2.0, 10, 10)]
    slow_outlier.append(FetchRound(1.0, 1.2, 10, 10))
    ratio, passed = judged(slow_outlier)
    assert ratio == 1.2 and passed
    mostly_slow = [FetchRound(1.0, 1.3, 10, 10), FetchRound(1.0, 1.0, 10, 10)]
    mostly_slow.append(FetchRound(1.0, 1.4, 10, 10))
    ratio, passed = judged(mostly_slow)
    assert ratio == 1.3 > FETCH_GOAL and not passed


def test_a_round_missing_leads_fails_the_row() -> None:
    rounds = [FetchRound(1.0, 1.0, 10, 10), FetchRound(1.0, 1.0, 10, 9)]
    rounds.append(FetchRound(1.0, 1.0, 10, 10))
    assert judged(rounds) == (1.0, False)
