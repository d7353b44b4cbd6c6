"""The workspace: sign-in sessions, saved settings (views) and their defaults, lead marks.

Revision ID: 0001_workspace
Revises:
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_workspace"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signin_sessions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("public_id", sa.String(32), nullable=False),
        sa.Column("reference_hash", sa.String(64), nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("user_json", sa.Text, nullable=False),
        sa.Column("sealed_tokens", sa.Text, nullable=False),
        sa.Column("token_version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("last_seen_at", sa.Float, nullable=False),
        sa.Column("revoked_at", sa.Float, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_signin_sessions"),
        sa.UniqueConstraint("public_id", name="uq_signin_sessions_public_id"),
        sa.UniqueConstraint("reference_hash", name="uq_signin_sessions_reference_hash"),
    )
    op.create_table(
        "saved_settings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("public_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("owner_user_id", sa.Integer, nullable=False),
        sa.Column("owner_name", sa.String(200), nullable=False),
        sa.Column("campaign_id", sa.Integer, nullable=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("shared", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("settings_json", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_saved_settings"),
        sa.UniqueConstraint("public_id", name="uq_saved_settings_public_id"),
    )
    op.create_index("ix_saved_settings_lookup", "saved_settings", ["source", "kind", "campaign_id"])
    op.create_table(
        "setting_defaults",
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("campaign_id", sa.Integer, nullable=False),
        sa.Column("settings_id", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint(
            "source", "user_id", "kind", "campaign_id", name="pk_setting_defaults"
        ),
        sa.ForeignKeyConstraint(
            ["settings_id"],
            ["saved_settings.id"],
            name="fk_setting_defaults_settings_id_saved_settings",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "lead_marks",
        sa.Column("source", sa.String(500), nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("lead_id", sa.Integer, nullable=False),
        sa.Column("campaign_id", sa.Integer, nullable=True),
        sa.Column("opened_at", sa.Float, nullable=True),
        sa.Column("pinned_at", sa.Float, nullable=True),
        sa.PrimaryKeyConstraint("source", "user_id", "lead_id", name="pk_lead_marks"),
    )
    op.create_index("ix_lead_marks_recent", "lead_marks", ["source", "user_id", "opened_at"])


def downgrade() -> None:
    op.drop_index("ix_lead_marks_recent", table_name="lead_marks")
    op.drop_table("lead_marks")
    op.drop_table("setting_defaults")
    op.drop_index("ix_saved_settings_lookup", table_name="saved_settings")
    op.drop_table("saved_settings")
    op.drop_table("signin_sessions")
