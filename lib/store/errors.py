"""What the app database can refuse, each error saying what was expected and what came.

```
StoreError
├── StoreUnavailableError   the database cannot be reached or opened (the app goes on
│                           without saving)
├── SignInNotFoundError     a reference unknown, forged, revoked, idle or too old
│   └── SignInIdleError     ...ended by this very check: nobody used it for too long
├── SettingsNotFoundError   no saved settings by that id that this user may see
├── SettingsConflictError   someone saved the settings since they were read (``current``)
└── SettingsRefusedError    a name taken, empty or too long; not the owner
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lib.store.records import SavedSettings


class StoreError(Exception):
    """Anything the app database refuses or cannot do."""


class StoreUnavailableError(StoreError):
    """The database cannot be reached or opened: the message is one line, without secrets."""


class SignInNotFoundError(StoreError):
    """No live sign-in for that reference: show the sign-in page."""


class SignInIdleError(SignInNotFoundError):
    """The sign-in was idle too long and this check ended it (the caller signs out of the
    API; later checks see it ended)."""


class SettingsNotFoundError(StoreError):
    pass


class SettingsRefusedError(StoreError):
    pass


class SettingsConflictError(StoreError):
    """The saved settings changed since this user read them: nothing was overwritten."""

    def __init__(self, message: str, current: SavedSettings) -> None:
        super().__init__(message)
        self.current = current
