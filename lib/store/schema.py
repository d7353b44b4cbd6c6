"""The app database's tables (SQLAlchemy Core): what Lead Lens keeps of its own, never lead
data. Alembic's migrations under `migrations/versions` create them; this module is what the
code reads and writes through, and a test checks that the two agree.

```
signin_sessions   one row per "stay signed in" reference: who, where, the Convertr tokens
                  (Fernet-encrypted), last use, revoked or not; the reference only hashed
saved_settings    named settings of a page, per `kind` ("leads.view" now, "audit.settings"
                  next): private to their owner or shared with every user of the source
setting_defaults  which saved settings open by default, per user, kind and campaign
lead_marks        leads a user opened (recent) or pinned, per source
```

Times are seconds since the epoch (float): one type on SQLite and PostgreSQL, no zone.
"""

from __future__ import annotations

from typing import Final

import sqlalchemy as sa

metadata: Final = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

SOURCE_LENGTH: Final = 500
"""The longest source (``Sandbox`` or an enterprise's base URL) kept."""
NAME_LENGTH: Final = 120
"""The longest name of a saved view."""
KIND_LENGTH: Final = 40

signin_sessions: Final = sa.Table(
    "signin_sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("public_id", sa.String(32), nullable=False, unique=True),
    sa.Column("reference_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("source", sa.String(SOURCE_LENGTH), nullable=False),
    sa.Column("user_id", sa.Integer, nullable=False),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("user_json", sa.Text, nullable=False),
    sa.Column("sealed_tokens", sa.Text, nullable=False),
    sa.Column("token_version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("last_seen_at", sa.Float, nullable=False),
    sa.Column("revoked_at", sa.Float, nullable=True),
)

saved_settings: Final = sa.Table(
    "saved_settings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("public_id", sa.String(32), nullable=False, unique=True),
    sa.Column("kind", sa.String(KIND_LENGTH), nullable=False),
    sa.Column("source", sa.String(SOURCE_LENGTH), nullable=False),
    sa.Column("owner_user_id", sa.Integer, nullable=False),
    sa.Column("owner_name", sa.String(200), nullable=False),
    sa.Column("campaign_id", sa.Integer, nullable=True),
    sa.Column("name", sa.String(NAME_LENGTH), nullable=False),
    sa.Column("shared", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("settings_json", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Index("ix_saved_settings_lookup", "source", "kind", "campaign_id"),
)

setting_defaults: Final = sa.Table(
    "setting_defaults",
    metadata,
    sa.Column("source", sa.String(SOURCE_LENGTH), primary_key=True),
    sa.Column("user_id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(KIND_LENGTH), primary_key=True),
    sa.Column("campaign_id", sa.Integer, primary_key=True),
    sa.Column(
        "settings_id",
        sa.Integer,
        sa.ForeignKey("saved_settings.id", ondelete="CASCADE"),
        nullable=False,
    ),
)

lead_marks: Final = sa.Table(
    "lead_marks",
    metadata,
    sa.Column("source", sa.String(SOURCE_LENGTH), primary_key=True),
    sa.Column("user_id", sa.Integer, primary_key=True),
    sa.Column("lead_id", sa.Integer, primary_key=True),
    sa.Column("campaign_id", sa.Integer, nullable=True),
    sa.Column("opened_at", sa.Float, nullable=True),
    sa.Column("pinned_at", sa.Float, nullable=True),
    sa.Index("ix_lead_marks_recent", "source", "user_id", "opened_at"),
)
