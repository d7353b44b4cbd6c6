"""Identity clusters and the publisher scorecard on planted leads; the Wilson interval."""

from __future__ import annotations

import datetime as dt

import pytest

from lib.audit.clusters import identity_clusters
from lib.audit.scorecard import judge, publisher_scorecard, wilson_interval
from lib.audit.settings import AuditSettings
from lib.audit.signals import AuditContext
from tests.audit.planting import START, Planter, seconds

CONTEXT = AuditContext(AuditSettings())


def test_a_ring_over_three_campaigns_is_one_cluster_with_its_sentence() -> None:
    planter = Planter()
    clean = planter.crowd(30)
    ring = [
        planter.lead(START + seconds(60), campaign=1, email="a@ring.test", fingerprint="dev-1"),
        planter.lead(START + seconds(180), campaign=2, email="b@ring.test", fingerprint="dev-1"),
        planter.lead(
            START + seconds(400),
            campaign=3,
            email="b@ring.test",
            fingerprint="dev-2",
            telephone="07700 900123",
        ),
        planter.lead(
            START + seconds(720),
            campaign=3,
            email="c@ring.test",
            fingerprint="dev-3",
            telephone="+44 7700 900123",
        ),
    ]
    clusters = identity_clusters(planter.db(), CONTEXT)
    assert [cluster.lead_ids for cluster in clusters] == [tuple(ring)]
    cluster = clusters[0]
    assert cluster.reason.startswith("4 leads, 3 campaigns, 3 devices, 3 emails, 11 min")
    assert {edge.label for edge in cluster.edges} == {"same device", "same email", "same phone"}
    assert "same device 2 min apart" in {edge.sentence for edge in cluster.edges}
    assert not set(cluster.lead_ids) & set(clean)


def test_an_office_ip_never_merges_clusters_on_its_own() -> None:
    planter = Planter()
    office = [planter.lead(START + dt.timedelta(hours=9 * i), ip="81.2.69.160") for i in range(12)]
    near = [planter.lead(START + seconds(s), ip="5.62.60.9") for s in (0, 300)]
    clusters = identity_clusters(planter.db(), CONTEXT)
    assert [cluster.lead_ids for cluster in clusters] == [tuple(near)]
    assert not any(set(cluster.lead_ids) & set(office) for cluster in clusters)


@pytest.mark.parametrize(
    ("successes", "total", "low", "high"),
    [
        (0, 10, 0.0, 0.2775),
        (5, 10, 0.2366, 0.7634),
        (10, 10, 0.7225, 1.0),
        (1, 100, 0.0018, 0.0545),
    ],
)
def test_wilson_interval_matches_published_values(
    successes: int, total: int, low: float, high: float
) -> None:
    assert wilson_interval(successes, total) == pytest.approx((low, high), abs=1e-4)


def test_judged_from_exactly_the_minimum_count() -> None:
    assert judge(20, 29, 0.1, 30) == "too few to judge"
    assert judge(20, 30, 0.1, 30) == "above baseline"
    assert judge(3, 30, 0.1, 30) == "in line"
    assert judge(0, 300, 0.2, 30) == "below baseline"


def test_scorecard_rows_baseline_and_payout_at_risk() -> None:
    planter = Planter()
    good = planter.crowd(60, publisher=1, publisher_sub_id="a")
    bad = planter.crowd(30, seed=3, publisher=2, publisher_sub_id="b")
    small = planter.crowd(5, seed=4, publisher=3)
    flagged = set(bad[:20]) | {good[0], small[0]}
    rows = publisher_scorecard(planter.db(), flagged, min_count=30)
    by_key = {(row.publisher_id, row.sub_id): row for row in rows}
    assert set(by_key) == {(1, None), (1, "a"), (2, None), (2, "b"), (3, None), (3, "")}
    assert by_key[(2, None)].flagged == 20
    assert by_key[(2, None)].flagged_judgement == "above baseline"
    assert by_key[(2, None)].payout_at_risk == pytest.approx(200.0)
    assert by_key[(1, None)].flagged_judgement == "below baseline"
    assert by_key[(3, None)].flagged_judgement == "too few to judge"
    assert by_key[(1, None)].baseline_flagged == pytest.approx(22 / 95)
