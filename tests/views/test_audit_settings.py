"""Saved audit settings read back with suspicion: unknown names dropped, numbers in range."""

from __future__ import annotations

from lib.views.audit_settings import AuditView

RANGES = {"rapid_post_seconds": (1, 300), "ip_hour_count": (2, 10)}
SIGNALS = ("ip_velocity", "shared_device")


def test_a_view_round_trips() -> None:
    view = AuditView({"rapid_post_seconds": 60}, ("ip_velocity",), "strong")
    assert AuditView.from_json(view.to_json(), RANGES, SIGNALS) == view


def test_what_the_page_no_longer_offers_is_dropped_and_numbers_kept_in_range() -> None:
    stored = {
        "thresholds": {
            "rapid_post_seconds": 10_000,
            "ip_hour_count": True,
            "gone_setting": 5,
            "cluster_ip_minutes": "7",
        },
        "signals": ["ip_velocity", "retired_signal", 3, "ip_velocity"],
        "strength": "loud",
    }
    view = AuditView.from_json(stored, RANGES, SIGNALS)
    assert view == AuditView({"rapid_post_seconds": 300}, ("ip_velocity",), "any")
    assert AuditView.from_json({"thresholds": [1], "signals": "x"}, RANGES, SIGNALS) == AuditView()


def test_the_summary_names_what_differs_from_the_published_defaults() -> None:
    defaults = {"rapid_post_seconds": 30, "ip_hour_count": 3}
    view = AuditView({"rapid_post_seconds": 60, "ip_hour_count": 3}, (), "weak")
    assert view.summary(defaults) == (
        "thresholds: rapid post seconds 60; every signal; weak findings only"
    )
    assert AuditView().summary(defaults) == "published thresholds; every signal"
