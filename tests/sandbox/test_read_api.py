"""Reading every v4 collection and item through the sandbox's HTTP stack."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest

from lib.sandbox.demo import SHOWCASE_CAUTION_LEAD_ID
from lib.sandbox.published import STATUS_CODES

COLLECTIONS = (
    "campaigns",
    "publishers",
    "leads",
    "lead-datas",
    "statistics",
    "lead-statistics-chronologies",
    "campaign-publishers",
    "campaign-links",
    "campaign-processr-jobs",
    "processr-job-leads",
    "logs",
    "lead-editable-fields",
    "lead-notes",
)


def members(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["@type"] == "hydra:Collection"
    items: list[dict[str, Any]] = body["hydra:member"]
    return items


def total(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    return int(response.json()["hydra:totalItems"])


@pytest.mark.parametrize("path", COLLECTIONS)
def test_every_collection_and_its_first_item(api: httpx.Client, path: str) -> None:
    response = api.get(f"/api/v4/{path}")
    assert response.headers["content-type"].startswith("application/ld+json")
    body = response.json()
    items = members(response)
    assert body["@id"] == f"/api/v4/{path}"
    assert body["@context"].startswith("/api/v4/contexts/")
    assert body["hydra:totalItems"] > 0
    assert "hydra:view" in body
    first = items[0]
    assert first["@id"] == f"/api/v4/{path}/{first['id']}"
    item = api.get(first["@id"])
    assert item.status_code == 200
    assert item.json()["@id"] == first["@id"]
    assert item.json()["@type"] == first["@type"]
    assert api.get(f"/api/v4/{path}/999999999").status_code == 404


def test_users_me_describes_the_signed_in_user(as_role: Any) -> None:
    me = as_role("analyst").get("/api/v4/users/me").json()
    assert me["email"] == "analyst@sandbox.test"
    assert me["role"] == "analyst"
    assert me["name"] == "Ana Lyst"
    assert me["@id"] == f"/api/v4/users/{me['id']}"
    assert set(me["permissions"]) == {"leads.view", "leads.edit", "logs.provider.view"}
    masked = as_role("masked").get("/api/v4/users/me").json()
    assert "logs.provider.view" not in masked["permissions"]


def test_lead_item_has_relations_as_iris_and_embedded_lead_data(api: httpx.Client) -> None:
    lead = api.get(f"/api/v4/leads/{SHOWCASE_CAUTION_LEAD_ID}").json()
    assert lead["campaign"] == "/api/v4/campaigns/1"
    assert lead["publisher"] is None or lead["publisher"].startswith("/api/v4/publishers/")
    assert all(note.startswith("/api/v4/lead-notes/") for note in lead["leadNotes"])
    assert lead["leadNotes"]
    names = {data["name"]: data["value"] for data in lead["leadData"]}
    assert names["emailDomain"] == "@harbourline-analytics.co.uk"
    assert all(data["@type"] == "LeadData" for data in lead["leadData"])
    # The default dialect gives the enterprise's offset; any offset is a full ISO 8601 stamp.
    assert datetime.fromisoformat(lead["createdTs"]).utcoffset() is not None
    assert isinstance(lead["latitude"], float)


def test_relation_filters_accept_iri_nested_id_and_several_values(api: httpx.Client) -> None:
    one = total(api.get("/api/v4/leads", params={"campaign.id": 1}))
    two = total(api.get("/api/v4/leads", params={"campaign.id": 2}))
    assert one > 0 and two > 0
    assert total(api.get("/api/v4/leads", params={"campaign": "/api/v4/campaigns/1"})) == one
    both = [
        "campaign.id[]=1&campaign.id[]=2",
        "campaign[]=/api/v4/campaigns/1&campaign[]=/api/v4/campaigns/2",
        "campaign[]=/api/v4/campaigns/1&campaign.id=2",
    ]
    for query in both:
        assert total(api.get(f"/api/v4/leads?{query}")) == one + two
    by_iri = "id[]=/api/v4/leads/100001&id[]=100002"
    assert [item["id"] for item in members(api.get(f"/api/v4/leads?{by_iri}"))] == [
        100001,
        100002,
    ]
    for item in members(api.get("/api/v4/leads?campaign.id[]=1&campaign.id[]=2&itemsPerPage=500")):
        assert item["campaign"] in {"/api/v4/campaigns/1", "/api/v4/campaigns/2"}


def test_lead_children_filter_by_lead(api: httpx.Client) -> None:
    lead_iri = f"/api/v4/leads/{SHOWCASE_CAUTION_LEAD_ID}"
    for path in ("lead-datas", "processr-job-leads", "logs", "lead-notes"):
        items = members(api.get(f"/api/v4/{path}", params={"lead": lead_iri}))
        assert items
        assert {item["lead"] for item in items} == {lead_iri}
        by_id = members(api.get(f"/api/v4/{path}", params={"lead.id": SHOWCASE_CAUTION_LEAD_ID}))
        assert by_id == items


def test_campaign_children_filter_by_campaign(api: httpx.Client) -> None:
    for path in (
        "statistics",
        "lead-statistics-chronologies",
        "campaign-publishers",
        "campaign-links",
        "campaign-processr-jobs",
        "lead-editable-fields",
    ):
        items = members(api.get(f"/api/v4/{path}?campaign.id[]=2&campaign.id[]=3&itemsPerPage=500"))
        assert {item["campaign"] for item in items} == {
            "/api/v4/campaigns/2",
            "/api/v4/campaigns/3",
        }


def test_publisher_filters(api: httpx.Client) -> None:
    contracts = members(api.get("/api/v4/campaign-publishers", params={"campaign.id": 1}))
    publisher = contracts[0]["publisher"]
    for path in ("campaign-publishers", "campaign-links", "leads"):
        items = members(api.get(f"/api/v4/{path}", params={"publisher": publisher}))
        assert items and {item["publisher"] for item in items} == {publisher}
    publisher_id = publisher.rsplit("/", 1)[1]
    assert (
        members(api.get("/api/v4/publishers", params={"id": publisher_id}))[0]["@id"] == publisher
    )


def test_campaign_filters(api: httpx.Client) -> None:
    assert [c["id"] for c in members(api.get("/api/v4/campaigns?id[]=2&id[]=4"))] == [2, 4]
    named = members(api.get("/api/v4/campaigns", params={"name": "cloud SECURITY"}))
    assert [c["name"] for c in named] == ["Q3 Cloud Security Whitepaper"]
    live = members(api.get("/api/v4/campaigns?status[]=Live&status[]=Paused"))
    assert live and {c["status"] for c in live} <= {"Live", "Paused"}
    northwind = members(api.get("/api/v4/campaigns", params={"advertiser": "northwind"}))
    assert len(northwind) >= 2 and {c["advertiser"] for c in northwind} == {"Northwind Systems"}
    assert {c["currency"] for c in members(api.get("/api/v4/campaigns"))} == {"GBP", "USD", "EUR"}


def test_lead_filters(api: httpx.Client) -> None:
    valid = members(api.get("/api/v4/leads?processrStatus=Valid&itemsPerPage=500"))
    # The default dialect answers with the status code (1000 = Valid), as Convertr does.
    assert valid and {lead["processrStatus"] for lead in valid} == {STATUS_CODES["Valid"]}
    mixed = total(api.get("/api/v4/leads?processrStatus[]=Valid&processrStatus[]=Caution"))
    caution = total(api.get("/api/v4/leads?processrStatus=Caution"))
    assert mixed == len(valid) + caution
    delivered = members(api.get("/api/v4/leads?delivered=true&itemsPerPage=500"))
    undelivered = total(api.get("/api/v4/leads?delivered=false"))
    assert {lead["delivered"] for lead in delivered} == {True}
    assert len(delivered) + undelivered == total(api.get("/api/v4/leads"))
    either = total(api.get("/api/v4/leads?delivered[]=true&delivered[]=false"))
    assert either == len(delivered) + undelivered
    by_email = members(
        api.get("/api/v4/leads", params={"email": "OLIVIA.Bennett@harbourline-analytics.co.uk"})
    )
    assert len({lead["campaign"] for lead in by_email}) >= 4
    searched = members(api.get("/api/v4/leads", params={"search": "olivia benn"}))
    assert {lead["id"] for lead in by_email} <= {lead["id"] for lead in searched}
    assert members(api.get("/api/v4/leads", params={"id[]": [100002, 100003]}))[1]["id"] == 100003


def test_created_ts_filters_with_dates_and_datetimes(tidy_api: httpx.Client) -> None:
    # Pinned to the tidy dialect: the test shifts UTC stamps by hand.
    api = tidy_api
    lead = api.get(f"/api/v4/leads/{SHOWCASE_CAUTION_LEAD_ID}").json()
    stamp, day = lead["createdTs"], lead["createdTs"][:10]
    on_day = members(
        api.get("/api/v4/leads", params={"createdTs[after]": day, "createdTs[before]": day})
    )
    assert lead["id"] in {item["id"] for item in on_day}
    assert all(item["createdTs"].startswith(day) for item in on_day)
    exact = {"createdTs[after]": stamp, "createdTs[before]": stamp}
    assert lead["id"] in {item["id"] for item in members(api.get("/api/v4/leads", params=exact))}
    strict = {"createdTs[strictly_after]": stamp, "createdTs[strictly_before]": stamp}
    assert total(api.get("/api/v4/leads", params=strict)) == 0
    later = members(api.get("/api/v4/leads", params={"createdTs[strictly_after]": day}))
    assert all(item["createdTs"][:10] > day for item in later)
    # The offset may come as "+01:00" and a raw "+" in a query string decodes to a space.
    shifted = stamp.replace("+00:00", "")
    hour = int(shifted[11:13])
    local = f"{shifted[:11]}{(hour + 1) % 24:02d}{shifted[13:]}"
    if hour < 23:
        query = f"createdTs[after]={local}+01:00&createdTs[before]={local}%2B01:00"
        assert lead["id"] in {item["id"] for item in members(api.get(f"/api/v4/leads?{query}"))}


def test_log_and_note_filters(api: httpx.Client) -> None:
    provider = members(api.get("/api/v4/logs?type=provider&level[]=info&level[]=warning"))
    assert provider and {log["type"] for log in provider} == {"provider"}
    assert {log["level"] for log in provider} <= {"info", "warning"}
    assert {log["provider"] for log in provider} <= {"BriteVerify", "NeverBounce", "Full Contact"}
    notes = members(api.get("/api/v4/lead-notes?type[]=status&type[]=delivery&itemsPerPage=500"))
    assert {note["type"] for note in notes} == {"status", "delivery"}
    failed = members(api.get("/api/v4/processr-job-leads?result=failed"))
    assert failed and {r["result"] for r in failed} == {"failed"}
    job = failed[0]["campaignProcessrJob"]
    for query in ({"campaignProcessrJob": job}, {"campaignProcessrJob.id": job.rsplit("/", 1)[1]}):
        results = members(api.get("/api/v4/processr-job-leads", params=query))
        assert {r["campaignProcessrJob"] for r in results} == {job}
    edited = members(api.get("/api/v4/lead-datas?name[]=email&name[]=emailDomain&source=derived"))
    assert edited and {d["name"] for d in edited} == {"emailDomain"}


def test_chronology_date_filters_and_order(api: httpx.Client) -> None:
    rows = members(api.get("/api/v4/lead-statistics-chronologies?campaign.id=1&itemsPerPage=500"))
    dates = [row["date"] for row in rows]
    middle = dates[len(dates) // 2]
    window = members(
        api.get(
            "/api/v4/lead-statistics-chronologies",
            params={"campaign.id": 1, "date[after]": middle, "date[before]": middle},
        )
    )
    assert [row["date"] for row in window] == [middle]
    newest = members(api.get("/api/v4/lead-statistics-chronologies?campaign.id=1&order[date]=desc"))
    assert newest[0]["date"] == max(dates)


def test_ordering_applies_in_query_order_then_id(api: httpx.Client) -> None:
    desc = members(api.get("/api/v4/leads?campaign.id=3&order[createdTs]=desc&itemsPerPage=500"))
    stamps = [lead["createdTs"] for lead in desc]
    assert stamps == sorted(stamps, reverse=True)
    asc = members(api.get("/api/v4/leads?campaign.id=3&order[createdTs]=ASC&itemsPerPage=500"))
    assert [lead["createdTs"] for lead in asc] == sorted(stamps)
    by_id = members(api.get("/api/v4/leads?order[id]=desc&itemsPerPage=5"))
    assert [lead["id"] for lead in by_id] == sorted((lead["id"] for lead in by_id), reverse=True)
    named = members(api.get("/api/v4/campaigns?order[name]=asc"))
    assert [c["name"] for c in named] == sorted(c["name"] for c in named)
    datas = members(api.get("/api/v4/lead-datas?lead.id=100001&order[name]=desc&itemsPerPage=100"))
    assert [d["name"] for d in datas] == sorted((d["name"] for d in datas), reverse=True)
    jobs = members(api.get("/api/v4/campaign-processr-jobs?campaign.id=1&order[position]=desc"))
    assert [j["position"] for j in jobs] == sorted((j["position"] for j in jobs), reverse=True)
    # Ties are broken by id ascending, so pages are stable.
    ties = members(api.get("/api/v4/lead-datas?order[name]=asc&itemsPerPage=500"))
    keys = [(d["name"], d["id"]) for d in ties]
    assert keys == sorted(keys)
    ignored = members(api.get("/api/v4/leads?order[email]=desc&itemsPerPage=5"))
    assert [lead["id"] for lead in ignored] == sorted(lead["id"] for lead in ignored)


def test_pagination_links_and_edges(api: httpx.Client) -> None:
    count = total(api.get("/api/v4/leads?campaign.id=1"))
    per_page = 7
    last = -(-count // per_page)
    first = api.get(f"/api/v4/leads?campaign.id=1&itemsPerPage={per_page}").json()
    view = first["hydra:view"]
    assert view["hydra:first"] == f"/api/v4/leads?campaign.id=1&itemsPerPage={per_page}&page=1"
    assert view["hydra:last"].endswith(f"&page={last}")
    assert "hydra:previous" not in view
    assert view["hydra:next"].endswith("&page=2")
    second = api.get(view["hydra:next"]).json()
    assert second["hydra:view"]["hydra:previous"].endswith("&page=1")
    assert not {i["id"] for i in second["hydra:member"]} & {i["id"] for i in first["hydra:member"]}
    final = api.get(view["hydra:last"]).json()
    assert "hydra:next" not in final["hydra:view"]
    assert len(final["hydra:member"]) == count - (last - 1) * per_page
    beyond = api.get(f"/api/v4/leads?campaign.id=1&itemsPerPage={per_page}&page={last + 5}").json()
    assert beyond["hydra:member"] == []
    assert beyond["hydra:totalItems"] == count
    # Walking every page visits every lead exactly once.
    seen: list[int] = []
    link: str | None = view["hydra:first"]
    while link:
        page = api.get(link).json()
        seen += [lead["id"] for lead in page["hydra:member"]]
        link = page["hydra:view"].get("hydra:next")
    assert len(seen) == len(set(seen)) == count


def test_items_per_page_default_and_maximum(api: httpx.Client) -> None:
    assert len(members(api.get("/api/v4/leads"))) == 30
    assert len(members(api.get("/api/v4/lead-datas?itemsPerPage=100000"))) == 500
    assert len(members(api.get("/api/v4/lead-datas?itemsPerPage=500"))) == 500


def test_chronologies_of_every_campaign_fit_one_page(api: httpx.Client) -> None:
    """A row per campaign and day: their larger page limit lets a chart of several
    campaigns be one request."""
    body = api.get("/api/v4/lead-statistics-chronologies?itemsPerPage=100000").json()
    assert body["hydra:totalItems"] > 300
    assert len(body["hydra:member"]) == body["hydra:totalItems"]
    assert "hydra:next" not in body["hydra:view"]


def test_empty_collection_still_has_a_view(api: httpx.Client) -> None:
    body = api.get("/api/v4/leads?campaign.id=10").json()
    assert body["hydra:member"] == [] and body["hydra:totalItems"] == 0
    assert body["hydra:view"]["hydra:last"].endswith("page=1")


def test_unknown_query_parameters_are_ignored(api: httpx.Client) -> None:
    plain = total(api.get("/api/v4/leads"))
    assert total(api.get("/api/v4/leads?colour=blue&order[nope]=asc")) == plain


def test_masked_user_sees_processr_logs_only(as_role: Any) -> None:
    masked = as_role("masked")
    logs = members(masked.get("/api/v4/logs?lead.id=100001&itemsPerPage=100"))
    assert logs and {log["type"] for log in logs} == {"processr"}
    assert members(masked.get("/api/v4/logs?lead.id=100001&type=processr"))
    for query in ("type=provider", "type[]=processr&type[]=provider"):
        denied = masked.get(f"/api/v4/logs?lead.id=100001&{query}")
        assert denied.status_code == 403
        assert "provider logs" in denied.json()["hydra:description"]


def test_masked_user_cannot_open_a_provider_log(as_role: Any) -> None:
    viewer = as_role("viewer")
    provider_log = members(viewer.get("/api/v4/logs?lead.id=100001&type=provider"))[0]
    assert viewer.get(provider_log["@id"]).status_code == 200
    masked = as_role("masked")
    assert masked.get(provider_log["@id"]).status_code == 403


@pytest.mark.parametrize(
    "query",
    [
        "/api/v4/leads?campaign.id=1&order[createdTs]=desc",
        "/api/v4/leads?order[createdTs]=asc&processrStatus[]=Valid&processrStatus[]=Caution",
        "/api/v4/lead-datas?lead.id[]=100001&lead.id[]=100002&order[name]=desc",
        "/api/v4/logs?order[createdTs]=desc&order[id]=desc&lead.id=100001",
    ],
)
def test_pages_concatenate_to_the_whole_ordered_list(api: httpx.Client, query: str) -> None:
    whole = [item["id"] for item in members(api.get(f"{query}&itemsPerPage=500"))]
    assert len(whole) > 9
    paged: list[int] = []
    for page in range(1, -(-len(whole) // 4) + 1):
        paged += [item["id"] for item in members(api.get(f"{query}&itemsPerPage=4&page={page}"))]
    assert paged == whole


def test_remaining_filters_of_the_contract(api: httpx.Client) -> None:
    """Filters docs/api.md lists that no other test reaches."""
    active = members(api.get("/api/v4/campaign-publishers?status=Active&itemsPerPage=500"))
    unsigned = total(api.get("/api/v4/campaign-publishers?status=Unsigned"))
    assert active and unsigned and {c["status"] for c in active} == {"Active"}
    either = total(api.get("/api/v4/campaign-publishers?status[]=Active&status[]=Unsigned"))
    assert either == len(active) + unsigned

    logs = members(api.get("/api/v4/logs?lead.id=100001&itemsPerPage=500"))
    middle = sorted(log["createdTs"] for log in logs)[len(logs) // 2]
    later = members(
        api.get("/api/v4/logs", params={"lead.id": 100001, "createdTs[strictly_after]": middle})
    )
    assert later and all(log["createdTs"] > middle for log in later)
    assert len(later) == sum(log["createdTs"] > middle for log in logs)

    names = [p["name"] for p in members(api.get("/api/v4/publishers?order[name]=desc"))]
    assert names == sorted(names, reverse=True)

    # API Platform's boolean spellings: 1/0 and any case mean true/false.
    assert 0 < total(api.get("/api/v4/leads?delivered=1")) < total(api.get("/api/v4/leads"))
    assert total(api.get("/api/v4/leads?delivered=1")) == total(
        api.get("/api/v4/leads?delivered=TRUE")
    )
    assert total(api.get("/api/v4/leads?delivered=0")) == total(
        api.get("/api/v4/leads?delivered=false")
    )
