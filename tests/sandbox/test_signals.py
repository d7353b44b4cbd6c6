"""The same person elsewhere: the ip, fingerprint, telephone and emailHash filters on leads,
and the demo clusters they find (a device farm, a shared office IP, a recycled email)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

import httpx

from lib.sandbox.demo import (
    FARM_FINGERPRINT,
    FARM_IPS,
    FARM_LEAD_IDS,
    OFFICE_IP,
    OFFICE_LEAD_IDS,
    RECYCLED_LEAD_IDS,
    SHOWCASE_CAUTION_LEAD_ID,
    SHOWCASE_HOSTILE_LEAD_ID,
)
from lib.sandbox.masking import MASK

FARM_WINDOW = timedelta(minutes=4)
RECYCLED_GAP = timedelta(weeks=3)


def leads(client: httpx.Client, params: list[tuple[str, str]]) -> list[dict[str, Any]]:
    answer = client.get("/api/v4/leads", params=[*params, ("itemsPerPage", "500")])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["hydra:totalItems"] == len(body["hydra:member"])
    found: list[dict[str, Any]] = body["hydra:member"]
    return found


def moment(lead: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(lead["createdTs"])


def test_the_device_farm_is_one_fingerprint_within_minutes_on_two_campaigns(
    tidy_api: httpx.Client,
) -> None:
    farm = leads(tidy_api, [("fingerprint", FARM_FINGERPRINT)])
    assert sorted(lead["id"] for lead in farm) == sorted(FARM_LEAD_IDS)
    assert SHOWCASE_HOSTILE_LEAD_ID in {lead["id"] for lead in farm}
    assert {lead["campaign"] for lead in farm} == {"/api/v4/campaigns/1", "/api/v4/campaigns/3"}
    times = sorted(moment(lead) for lead in farm)
    assert times[-1] - times[0] <= FARM_WINDOW
    assert sorted(lead["ip"] for lead in farm) == sorted(FARM_IPS)
    assert len({(lead["firstName"], lead["lastName"]) for lead in farm}) == len(farm)


def test_the_office_ip_is_several_colleagues(tidy_api: httpx.Client) -> None:
    office = leads(tidy_api, [("ip", OFFICE_IP)])
    assert sorted(lead["id"] for lead in office) == sorted(OFFICE_LEAD_IDS)
    assert SHOWCASE_CAUTION_LEAD_ID in {lead["id"] for lead in office}
    assert len({lead["email"] for lead in office}) == len(office)  # different people
    assert {lead["email"].split("@")[1] for lead in office} == {"harbourline-analytics.co.uk"}
    assert len({lead["fingerprint"] for lead in office}) == len(office)  # different devices


def test_the_recycled_email_comes_weeks_apart_on_three_campaigns(tidy_api: httpx.Client) -> None:
    first = tidy_api.get(f"/api/v4/leads/{RECYCLED_LEAD_IDS[0]}").json()
    recycled = leads(tidy_api, [("emailHash", first["emailHash"]), ("order[createdTs]", "asc")])
    assert [lead["id"] for lead in recycled] == list(RECYCLED_LEAD_IDS)
    assert len({lead["campaign"] for lead in recycled}) == len(RECYCLED_LEAD_IDS)
    times = [moment(lead) for lead in recycled]
    assert all(later - earlier >= RECYCLED_GAP for earlier, later in pairwise(times))
    assert len({lead["ip"] for lead in recycled}) == len(recycled)


def test_telephone_filter_and_several_values(tidy_api: httpx.Client) -> None:
    olivia = tidy_api.get(f"/api/v4/leads/{SHOWCASE_CAUTION_LEAD_ID}").json()
    same_phone = leads(tidy_api, [("telephone", olivia["telephone"])])
    assert {lead["telephone"] for lead in same_phone} == {olivia["telephone"]}
    assert SHOWCASE_CAUTION_LEAD_ID in {lead["id"] for lead in same_phone}
    assert len(same_phone) >= 4  # her leads on campaigns 2-4 too
    both = leads(tidy_api, [("ip[]", OFFICE_IP), ("ip[]", FARM_IPS[0])])
    assert sorted(lead["id"] for lead in both) == sorted((*OFFICE_LEAD_IDS, FARM_LEAD_IDS[0]))
    # Exact: a part of a value matches nothing.
    assert leads(tidy_api, [("fingerprint", FARM_FINGERPRINT[:8])]) == []
    assert leads(tidy_api, [("ip", OFFICE_IP.rsplit(".", 1)[0])]) == []


def test_a_masked_user_may_not_filter_by_a_masked_signal(
    as_role: Callable[[str], httpx.Client],
) -> None:
    # The ip is masked for this role: a filter on it would confirm a guessed address.
    client = as_role("masked")
    refused = client.get("/api/v4/leads", params={"ip": OFFICE_IP})
    assert refused.status_code == 403
    assert 'cannot filter by "ip"' in refused.json()["hydra:description"]
    farm = leads(client, [("fingerprint", FARM_FINGERPRINT)])  # not masked: allowed
    assert len(farm) == len(FARM_LEAD_IDS)
    assert {lead["email"] for lead in farm} == {MASK}


def test_the_search_template_advertises_the_signal_filters(tidy_api: httpx.Client) -> None:
    template = tidy_api.get("/api/v4/leads?itemsPerPage=1").json()["hydra:search"]
    variables = {mapping["variable"] for mapping in template["hydra:mapping"]}
    for name in ("ip", "fingerprint", "telephone", "emailHash"):
        assert {name, f"{name}[]"} <= variables
        assert f",{name}," in template["hydra:template"]
