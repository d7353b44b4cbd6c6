"""lib/views/signals.py: other leads sharing the lead's device, IP, email or telephone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from lib.convertr.models import Lead
from lib.presentation import resolve_timezone
from lib.views.signals import signal_clusters, signals_frame, span_text
from tests.support.workbench_models import at, make_lead

UTC_ZONE = resolve_timezone(None)
DEVICE = "aaf915310200b1f08768a84fa76afde6"


def lead(lead_id: int, campaign: int = 1, seconds: float = 0, **fields: Any) -> Lead:
    values: dict[str, Any] = {
        "ip": None,
        "fingerprint": None,
        "emailHash": None,
        "telephone": None,
        "createdTs": at(seconds),
    }
    return make_lead(lead_id, campaign, **(values | fields))


def test_a_device_farm_is_one_cluster_with_a_plain_sentence() -> None:
    this = lead(1, 1, 0, fingerprint=DEVICE, ip="10.0.0.1")
    others = [
        lead(2, 2, 60, fingerprint=DEVICE.upper(), processrStatus="Invalid"),
        lead(3, 1, 230, fingerprint=f" {DEVICE} "),
        lead(4, 3, 90, fingerprint="another-device", ip="10.0.0.2"),
    ]
    signals = signal_clusters(this, others)
    assert [cluster.signal for cluster in signals.clusters] == ["fingerprint"]
    device = signals.clusters[0]
    assert device.sentence == "3 leads from the same device within 4 minutes on 2 campaigns"
    assert [member.lead_id for member in device.members] == [1, 2, 3]  # oldest first
    assert [member.lead_id for member in device.others] == [2, 3]
    assert device.statuses == {"Caution": 1, "Invalid": 1}
    assert signals.without_value == ("email_hash", "telephone")
    assert signals.summary == "This lead shares 1 signal with other leads."


def test_the_lead_itself_and_duplicates_are_ignored_and_none_found_is_said() -> None:
    this = lead(1, ip="10.0.0.1", fingerprint=DEVICE, emailHash="ab12", telephone="+44 1")
    assert signal_clusters(this, [this, this]).clusters == ()
    assert signal_clusters(this, []).summary == (
        "No other lead shares this lead's device, IP address or email."
    )
    twice = lead(2, 2, 30, ip="10.0.0.1")
    signals = signal_clusters(this, [twice, twice, this])
    assert [member.lead_id for member in signals.clusters[0].members] == [1, 2]
    assert signals.clusters[0].sentence == (
        "2 leads from the same IP address within 30 seconds on 2 campaigns"
    )


def test_missing_blank_and_masked_values_never_cluster() -> None:
    masked = lead(1, ip="[masked]", fingerprint="", emailHash=" [MASKED] ", telephone="[masked]")
    others = [
        lead(2, ip="[masked]", fingerprint="", emailHash="[masked]", telephone="[masked]"),
        lead(3),
    ]
    signals = signal_clusters(masked, others)
    assert signals.clusters == ()
    assert signals.without_value == ("fingerprint", "ip", "email_hash", "telephone")
    assert signals.summary.startswith("No signal could be compared")
    # Other leads' masked values do not match a real one either.
    real = lead(4, ip="10.0.0.9")
    assert signal_clusters(real, [lead(5, ip="[masked]"), lead(6)]).clusters == ()


def test_telephones_match_by_their_digits_and_short_ones_not_at_all() -> None:
    this = lead(1, telephone="+44 20 7946 0321")
    same = lead(2, 2, 3600 * 5, telephone="+442079460321")
    signals = signal_clusters(this, [same, lead(3, telephone="(+44) 20-7946-0322")])
    assert [cluster.signal for cluster in signals.clusters] == ["telephone"]
    assert signals.clusters[0].sentence == (
        "2 leads with the same telephone number within 5 hours on 2 campaigns"
    )
    assert signal_clusters(lead(1, telephone="123"), [lead(2, telephone="123")]).clusters == ()


def test_several_signals_each_make_a_cluster_in_signal_order() -> None:
    this = lead(1, ip="10.0.0.1", emailHash="AB12", fingerprint=DEVICE)
    others = [lead(2, 1, 5, ip="10.0.0.1", emailHash="ab12"), lead(3, 1, 0.2, emailHash="ab12")]
    signals = signal_clusters(this, others, not_searched=["telephone", "ip"])
    assert [cluster.signal for cluster in signals.clusters] == ["ip", "email_hash"]
    email = signals.clusters[1]
    assert email.sentence == "3 leads with the same email address within 5 seconds on 1 campaign"
    assert signals.not_searched == ("ip", "telephone")
    assert signals.summary == (
        "This lead shares 2 signals with other leads. The IP address and telephone were not "
        "searched for, only compared among the leads found otherwise."
    )
    frame = signals_frame(signals, UTC_ZONE)
    assert frame[["Signal", "Lead ID"]].values.tolist() == [
        ["IP address", 2],
        ["Email", 3],
        ["Email", 2],
    ]
    assert frame["Captured"].tolist()[0] == "01 May 2026 09:00"
    campaigns = {int(value) for value in frame["Campaign ID"]}
    assert set(frame["Campaign"]) == {f"Campaign #{value}" for value in campaigns}
    named = signals_frame(signals, UTC_ZONE, {value: f"Spring {value}" for value in campaigns})
    assert set(named["Campaign"]) == {f"Spring {value}" for value in campaigns}


def test_span_wording() -> None:
    assert span_text(timedelta(0)) == "in the same second"
    assert span_text(timedelta(seconds=1)) == "within 1 second"
    assert span_text(timedelta(seconds=61)) == "within 2 minutes"
    assert span_text(timedelta(hours=1)) == "within 1 hour"
    assert span_text(timedelta(days=3, seconds=1)) == "within 4 days"
