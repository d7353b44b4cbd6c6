"""Saved views on the Leads page: the picker and its actions above the filters, a view's
link, the default view of a campaign, and the views under Leads in the sidebar.

A view is settings only (`views.saved_views.ViewSettings`): opening one writes its query to
the URL, and the Leads page then reads it as it reads any link. Private views are their
owner's; shared ones are every user's of the same source; only the owner changes one. Every
update names the version it read (`lib.store` refuses a stale one): a refused save says so
and offers to save over theirs or to open theirs, never losing either silently.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Final
from urllib.parse import urlencode, urlsplit

import streamlit as st

from lib.convertr.session import Identity
from lib.store import (
    Owner,
    SavedSettings,
    SettingsConflictError,
    SettingsNotFoundError,
    SettingsRefusedError,
    StoreError,
)
from lib.store.schema import NAME_LENGTH
from lib.ui import keys, pages
from lib.ui.workspace import Workspace
from lib.views.navigation import LeadsPlace
from lib.views.saved_views import (
    NO_VIEW,
    VIEW_KIND,
    ViewSettings,
    view_label,
    view_link_query,
    view_query,
    view_settings,
)
from lib.views.url_params import LEADS_VIEW, PARAM_VIEW, PLACE_PARAMS, read_param

logger = logging.getLogger(__name__)

SIDEBAR_VIEWS: Final = 8
"""Views listed under Leads in the sidebar (the picker has them all)."""
NOT_SAVED: Final = "Views cannot be saved right now (Lead Lens's database is unavailable)."


def owner_of(identity: Identity | None) -> Owner | None:
    if identity is None:
        return None
    return Owner(source=identity.source, user_id=identity.user.id, name=identity.user.name or "")


def _say(message: str) -> None:
    st.session_state[keys.LEADS_VIEW_MESSAGE] = message


def _open(view: SavedSettings, campaign_id: int) -> None:
    """Show the view: its query in the URL (read as a link's), it marked open."""
    settings = ViewSettings.from_json(view.settings)
    st.query_params.from_dict(view_query(view.campaign_id or campaign_id, settings))
    st.session_state[keys.LEADS_VIEW_OPEN] = view
    st.session_state.pop(keys.LEADS_VIEW_CONFLICT, None)


def arrive(workspace: Workspace, owner: Owner | None, campaign_id: int) -> str | None:
    """Before the page reads its place: a view's link opens the view (or says why not); a
    bare campaign link opens the user's default view for it, once per session. Returns a
    note for the page."""
    store = workspace.store
    raw = st.query_params.get(PARAM_VIEW)
    if raw is not None:
        del st.query_params[PARAM_VIEW]
        read = read_param(LEADS_VIEW, raw)
        if read.value is None:
            return read.note
        if store is None or owner is None:
            return NOT_SAVED
        try:
            view = store.settings.get(owner, read.value)
        except SettingsNotFoundError:
            return (
                "That saved view cannot be opened: it was deleted, or it is private to its owner."
            )
        except StoreError as error:
            logger.warning("saved view not read: %s", error)
            return NOT_SAVED
        _open(view, campaign_id)
        return None
    arrived: set[int] = st.session_state.setdefault(keys.LEADS_VIEW_ARRIVED, set())
    bare = not any(name in st.query_params for name in PLACE_PARAMS)
    if campaign_id in arrived or not bare or store is None or owner is None:
        arrived.add(campaign_id)
        return None
    arrived.add(campaign_id)
    if campaign_id in st.session_state.get(keys.LEADS_PLACES, {}):
        return None  # this session's own last place on the campaign wins
    try:
        default = store.settings.default(owner, kind=VIEW_KIND, campaign_id=campaign_id)
    except StoreError as error:
        logger.warning("default view not read: %s", error)
        return None
    if default is not None:
        _open(default, campaign_id)
    return None


def _visible(workspace: Workspace, owner: Owner, campaign_id: int) -> tuple[SavedSettings, ...]:
    if workspace.store is None:
        return ()
    try:
        return workspace.store.settings.visible(owner, kind=VIEW_KIND, campaign_id=campaign_id)
    except StoreError as error:
        logger.warning("saved views not listed: %s", error)
        return ()


def _default_id(workspace: Workspace, owner: Owner, campaign_id: int) -> str | None:
    if workspace.store is None:
        return None
    try:
        default = workspace.store.settings.default(owner, kind=VIEW_KIND, campaign_id=campaign_id)
    except StoreError:
        return None
    return None if default is None else default.public_id


def _label(view: SavedSettings, owner: Owner, default_id: str | None) -> str:
    return view_label(
        view.name,
        own=view.owned_by(owner),
        shared=view.shared,
        owner_name=view.owner_name,
        default=view.public_id == default_id,
    )


def _choose(views: dict[str, SavedSettings], campaign_id: int) -> None:
    chosen = st.session_state.get(keys.LEADS_VIEW_PICKER)
    if chosen in views:
        _open(views[chosen], campaign_id)
    else:
        st.session_state.pop(keys.LEADS_VIEW_OPEN, None)


def _open_view() -> SavedSettings | None:
    view = st.session_state.get(keys.LEADS_VIEW_OPEN)
    return view if isinstance(view, SavedSettings) else None


def _act(workspace: Workspace, action: Callable[..., str], *args: object) -> None:
    """Run one store action for a button, saying what happened (or why not)."""
    store = workspace.store
    if store is None:
        _say(NOT_SAVED)
        return
    try:
        message = action(workspace, *args)
    except SettingsConflictError as conflict:
        st.session_state[keys.LEADS_VIEW_CONFLICT] = conflict.current
        return
    except (SettingsRefusedError, SettingsNotFoundError) as refused:
        _say(str(refused).capitalize() + ".")
        return
    except StoreError as error:
        logger.warning("saved view action %s failed: %s", action.__name__, error)
        _say(NOT_SAVED)
        return
    _say(message)


def _save_new(workspace: Workspace, owner: Owner, campaign_id: int, settings: ViewSettings) -> str:
    assert workspace.store is not None
    name = str(st.session_state.get(keys.LEADS_VIEW_NAME) or "")
    shared = bool(st.session_state.get(keys.LEADS_VIEW_SHARED))
    view = workspace.store.settings.create(
        owner,
        kind=VIEW_KIND,
        campaign_id=campaign_id,
        name=name,
        settings=settings.to_json(),
        shared=shared,
    )
    st.session_state[keys.LEADS_VIEW_OPEN] = view
    st.session_state[keys.LEADS_VIEW_NAME] = ""
    return f"Saved the view {view.name!r}" + (" (shared)." if view.shared else ".")


def _update(workspace: Workspace, owner: Owner, view: SavedSettings, settings: ViewSettings) -> str:
    assert workspace.store is not None
    saved = workspace.store.settings.update(
        owner, view.public_id, version=view.version, settings=settings.to_json()
    )
    st.session_state[keys.LEADS_VIEW_OPEN] = saved
    st.session_state.pop(keys.LEADS_VIEW_CONFLICT, None)
    return f"Updated the view {saved.name!r}."


def _rename(workspace: Workspace, owner: Owner, view: SavedSettings) -> str:
    assert workspace.store is not None
    name = str(st.session_state.get(keys.LEADS_VIEW_RENAME) or "")
    saved = workspace.store.settings.update(owner, view.public_id, version=view.version, name=name)
    st.session_state[keys.LEADS_VIEW_OPEN] = saved
    return f"Renamed the view to {saved.name!r}."


def _share(workspace: Workspace, owner: Owner, view: SavedSettings) -> str:
    assert workspace.store is not None
    saved = workspace.store.settings.update(
        owner, view.public_id, version=view.version, shared=not view.shared
    )
    st.session_state[keys.LEADS_VIEW_OPEN] = saved
    if saved.shared:
        return f"{saved.name!r} is now shared with everyone who uses this Convertr."
    return f"{saved.name!r} is now private."


def _make_default(workspace: Workspace, owner: Owner, view: SavedSettings, is_default: bool) -> str:
    assert workspace.store is not None
    if is_default:
        workspace.store.settings.clear_default(owner, kind=VIEW_KIND, campaign_id=view.campaign_id)
        return f"{view.name!r} no longer opens by default."
    workspace.store.settings.set_default(owner, view.public_id)
    return f"{view.name!r} opens by default on this campaign."


def _delete(workspace: Workspace, owner: Owner, view: SavedSettings) -> str:
    assert workspace.store is not None
    workspace.store.settings.delete(owner, view.public_id)
    st.session_state.pop(keys.LEADS_VIEW_OPEN, None)
    return f"Deleted the view {view.name!r}."


def _take_theirs(campaign_id: int) -> None:
    theirs = st.session_state.pop(keys.LEADS_VIEW_CONFLICT, None)
    if isinstance(theirs, SavedSettings):
        _open(theirs, campaign_id)


def _link(campaign_id: int, view: SavedSettings) -> str:
    """The view's full link (the page's own address, the view's query)."""
    query = urlencode(view_link_query(campaign_id, view.public_id))
    try:
        here = urlsplit(str(st.context.url or ""))
    except ValueError:
        here = urlsplit("")
    if here.scheme and here.netloc:
        return f"{here.scheme}://{here.netloc}{here.path}?{query}"
    return f"?{query}"


def _conflict(workspace: Workspace, owner: Owner, campaign_id: int, settings: ViewSettings) -> None:
    theirs = st.session_state.get(keys.LEADS_VIEW_CONFLICT)
    if not isinstance(theirs, SavedSettings):
        return
    st.warning(
        f"**{theirs.name}** was saved in another session since you opened it. Nothing was "
        "overwritten: save yours over it, or open theirs.",
        icon=":material/sync_problem:",
    )
    mine, other = st.columns(2)
    mine.button(
        "Save mine over it",
        key=keys.LEADS_VIEW_OVERWRITE,
        on_click=_act,
        args=(workspace, _update, owner, theirs, settings),
    )
    other.button(
        "Open theirs",
        key=keys.LEADS_VIEW_TAKE_THEIRS,
        on_click=_take_theirs,
        args=(campaign_id,),
    )


def render(workspace: Workspace, owner: Owner | None, campaign_id: int, place: LeadsPlace) -> None:
    """The saved-view bar: pick, save, update, and (in Manage) rename, share, default,
    delete, link."""
    if owner is None:
        return
    settings = view_settings(place)
    views = {view.public_id: view for view in _visible(workspace, owner, campaign_id)}
    default_id = _default_id(workspace, owner, campaign_id)
    open_view = _open_view()
    if open_view is not None and open_view.public_id not in views:
        open_view = None
        st.session_state.pop(keys.LEADS_VIEW_OPEN, None)
    st.session_state[keys.LEADS_VIEW_PICKER] = open_view.public_id if open_view else NO_VIEW
    picker, save, manage = st.columns([3, 1, 1], vertical_alignment="bottom")
    picker.selectbox(
        "Saved view",
        [NO_VIEW, *views],
        key=keys.LEADS_VIEW_PICKER,
        format_func=lambda key: key if key == NO_VIEW else _label(views[key], owner, default_id),
        on_change=_choose,
        args=(views, campaign_id),
        help="Your views and the ones colleagues shared, for this campaign.",
        disabled=workspace.store is None,
    )
    with save.popover("Save view", icon=":material/bookmark_add:", width="stretch"):
        st.text_input("Name", key=keys.LEADS_VIEW_NAME, max_chars=NAME_LENGTH)
        st.checkbox(
            "Share with everyone who uses this Convertr",
            key=keys.LEADS_VIEW_SHARED,
            help="A shared view holds only the filters, sort and page size, never leads.",
        )
        st.button(
            "Save as a new view",
            key=keys.LEADS_VIEW_SAVE,
            on_click=_act,
            args=(workspace, _save_new, owner, campaign_id, settings),
            type="primary",
        )
    if open_view is not None:
        _manage(manage, workspace, owner, campaign_id, open_view, settings, default_id)
    message = st.session_state.pop(keys.LEADS_VIEW_MESSAGE, None)
    if message:
        st.caption(message)
    if open_view is not None and ViewSettings.from_json(open_view.settings) != settings:
        st.caption(f"Changed since the view **{open_view.name}** was saved.")
    _conflict(workspace, owner, campaign_id, settings)


def _manage(
    column: object,
    workspace: Workspace,
    owner: Owner,
    campaign_id: int,
    view: SavedSettings,
    settings: ViewSettings,
    default_id: str | None,
) -> None:
    own = view.owned_by(owner)
    is_default = view.public_id == default_id
    with column.popover("Manage view", icon=":material/tune:", width="stretch"):  # type: ignore[attr-defined]
        if own:
            st.button(
                f"Update {view.name!r} with this list",
                key=keys.LEADS_VIEW_UPDATE,
                on_click=_act,
                args=(workspace, _update, owner, view, settings),
                disabled=ViewSettings.from_json(view.settings) == settings,
            )
            st.text_input("New name", key=keys.LEADS_VIEW_RENAME, max_chars=NAME_LENGTH)
            st.button(
                "Rename",
                key=keys.LEADS_VIEW_RENAME_SUBMIT,
                on_click=_act,
                args=(workspace, _rename, owner, view),
            )
            st.button(
                "Make private" if view.shared else "Share with everyone",
                key=keys.LEADS_VIEW_SHARE,
                on_click=_act,
                args=(workspace, _share, owner, view),
            )
        else:
            st.caption(f"Shared by {view.owner_name or 'a colleague'}: only they change it.")
        st.button(
            "Stop opening by default" if is_default else "Open by default on this campaign",
            key=keys.LEADS_VIEW_DEFAULT,
            on_click=_act,
            args=(workspace, _make_default, owner, view, is_default),
        )
        if own:
            st.button(
                "Delete view",
                key=keys.LEADS_VIEW_DELETE,
                on_click=_act,
                args=(workspace, _delete, owner, view),
                icon=":material/delete:",
            )
        who = "anyone who may see this campaign" if view.shared else "you only (it is private)"
        st.caption(f"Link (opens for {who}):")
        st.code(_link(campaign_id, view), language=None)


def sidebar_links(workspace: Workspace, owner: Owner | None, campaign_id: int) -> None:
    """The campaign's views under Leads in the sidebar."""
    if owner is None or workspace.store is None:
        return
    views = _visible(workspace, owner, campaign_id)[:SIDEBAR_VIEWS]
    for view in views:
        st.page_link(
            pages.LEADS,
            label=view.name,
            icon=":material/bookmark:",
            query_params=view_link_query(campaign_id, view.public_id),
        )
