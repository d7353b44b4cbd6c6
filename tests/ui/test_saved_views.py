"""Saved views and recent/pinned leads through AppTest on the sandbox: save the Leads page's
filters as a view, open it from its link in another session, rename, share, default,
delete; a concurrent save is refused with both kept; private views stay private; the Lead
page notes recent leads and pins one, listed in the sidebar and under Go to lead."""

from __future__ import annotations

from typing import Any

from lib.store import Owner
from lib.ui import keys, pages, workspace
from lib.views.saved_views import VIEW_KIND
from lib.views.url_params import PARAM_SEARCH, PARAM_STATUS, PARAM_VIEW
from tests.support.apptest import app_at, texts


def leads(**query: str) -> Any:
    at = app_at(pages.LEADS, campaign="1", **query)
    return at


def as_user(at: Any, email: str) -> Any:
    at.session_state[keys.DEMO_USER] = email
    return at


def save_view(at: Any, name: str, *, shared: bool = False) -> Any:
    at.text_input(key=keys.LEADS_VIEW_NAME).input(name)
    if shared:
        at.checkbox(key=keys.LEADS_VIEW_SHARED).check()
    at.button(key=keys.LEADS_VIEW_SAVE).click().run()
    assert not at.exception
    return at


def the_store() -> Any:
    from lib.ui.cached_api import access_settings, resolve_config

    kept = workspace.open_workspace(resolve_config(access_settings()))
    assert kept.store is not None
    return kept.store


def sidebar_links(at: Any) -> list[str]:
    return [str(link.label) for link in at.sidebar.get("page_link")]


def test_a_saved_view_opens_from_its_link_in_another_session() -> None:
    at = leads(status="Invalid", q="example").run()
    assert not at.exception
    save_view(at, "Rejected examples", shared=True)
    assert "Saved the view 'Rejected examples' (shared)." in texts(at.main)
    (view,) = the_store().settings.visible(Owner("Sandbox", 2), kind=VIEW_KIND, campaign_id=1)
    assert view.settings["params"] == {PARAM_STATUS: "Invalid", PARAM_SEARCH: "example"}
    assert "Rejected examples" in sidebar_links(at), "listed under Leads"

    other = as_user(app_at(pages.LEADS, campaign="1", view=view.public_id), "admin@sandbox.test")
    other.run()
    assert not other.exception
    assert other.multiselect(key=keys.LEADS_STATUS).value == ["Invalid"]
    assert other.text_input(key=keys.LEADS_SEARCH).value == "example"
    assert PARAM_VIEW not in other.query_params


def test_a_private_view_is_not_opened_by_someone_else() -> None:
    at = leads(q="example").run()
    save_view(at, "Mine")
    (view,) = the_store().settings.visible(Owner("Sandbox", 2), kind=VIEW_KIND, campaign_id=1)
    other = as_user(app_at(pages.LEADS, campaign="1", view=view.public_id), "admin@sandbox.test")
    other.run()
    assert not other.exception
    assert "private to its owner" in texts(other.main)
    assert other.text_input(key=keys.LEADS_SEARCH).value == ""
    assert other.selectbox(key=keys.LEADS_VIEW_PICKER).options == ["(no saved view)"]


def test_update_rename_default_and_delete() -> None:
    at = leads(q="example").run()
    save_view(at, "First")
    at.text_input(key=keys.LEADS_SEARCH).input("other").run()
    assert "Changed since the view **First** was saved." in texts(at.main)
    at.button(key=keys.LEADS_VIEW_UPDATE).click().run()
    assert "Updated the view 'First'." in texts(at.main)
    at.text_input(key=keys.LEADS_VIEW_RENAME).input("Renamed")
    at.button(key=keys.LEADS_VIEW_RENAME_SUBMIT).click().run()
    assert "Renamed the view to 'Renamed'." in texts(at.main)
    at.button(key=keys.LEADS_VIEW_DEFAULT).click().run()
    assert "opens by default" in texts(at.main)

    fresh = leads().run()  # a new session on the bare campaign link: the default view
    assert not fresh.exception
    assert fresh.text_input(key=keys.LEADS_SEARCH).value == "other"

    at.button(key=keys.LEADS_VIEW_DELETE).click().run()
    assert "Deleted the view 'Renamed'." in texts(at.main)
    assert at.selectbox(key=keys.LEADS_VIEW_PICKER).options == ["(no saved view)"]


def test_a_concurrent_save_is_refused_and_both_kept() -> None:
    first = leads(q="example").run()
    save_view(first, "Shared list")
    (view,) = the_store().settings.visible(Owner("Sandbox", 2), kind=VIEW_KIND, campaign_id=1)
    second = leads(view=view.public_id).run()  # the same user, another tab
    second.text_input(key=keys.LEADS_SEARCH).input("from-second").run()
    second.button(key=keys.LEADS_VIEW_UPDATE).click().run()
    first.text_input(key=keys.LEADS_SEARCH).input("from-first").run()
    first.button(key=keys.LEADS_VIEW_UPDATE).click().run()
    assert not first.exception
    assert "was saved in another session since you opened it" in texts(first.main)
    stored = the_store().settings.get(Owner("Sandbox", 2), view.public_id)
    assert stored.settings["params"][PARAM_SEARCH] == "from-second", "theirs not lost"
    first.button(key=keys.LEADS_VIEW_OVERWRITE).click().run()
    stored = the_store().settings.get(Owner("Sandbox", 2), view.public_id)
    assert stored.settings["params"][PARAM_SEARCH] == "from-first", "then mine, on purpose"


def test_recent_and_pinned_leads_follow_the_user() -> None:
    at = app_at(pages.LEAD, lead="100001").run()
    assert not at.exception
    at.button(key=keys.LEAD_PIN).click().run()
    at.query_params["lead"] = "100002"
    at.run()
    assert not at.exception
    assert "Pinned lead 100001" in sidebar_links(at)
    assert "Recent lead 100002" in sidebar_links(at)

    later = app_at().run()  # another session of the same user
    picker = later.selectbox(key=keys.GO_TO_LEAD_RECENT)
    assert picker.options[0].startswith("📌 Lead 100001")
    assert any(option.startswith("Lead 100002") for option in picker.options)
    other = as_user(app_at(), "admin@sandbox.test").run()
    assert not [box for box in other.selectbox if box.key == keys.GO_TO_LEAD_RECENT]
