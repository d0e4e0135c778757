"""reminders: sent reminders, the applicant's STOP, officers' announcements

Revision ID: 0002_reminders
Revises: 0001
Create Date: 2026-12-03 14:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_reminders"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reminders_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column("campaign_year", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "TELEGRAM", "WHATSAPP", "SHELL", "WEB", name="channel", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column(
            "sent_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("progress_before", sa.Integer(), nullable=False),
        sa.Column("progressed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["access_grants.id"],
            name=op.f("fk_reminders_sent_grant_id_access_grants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders_sent")),
        sa.UniqueConstraint("grant_id", "rule", name=op.f("uq_reminders_sent_grant_id")),
    )
    op.create_index(
        "ix_reminders_sent_rule_sent_at", "reminders_sent", ["rule", "sent_at"], unique=False
    )
    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_year", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("statuses", sa.JSON(), nullable=False),
        sa.Column("text_ky", sa.Text(), nullable=False),
        sa.Column("text_ru", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["officers.id"],
            name=op.f("fk_announcements_author_id_officers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
    )
    for column in ("campaign_year", "author_id", "district_id"):
        op.create_index(op.f(f"ix_announcements_{column}"), "announcements", [column], unique=False)
    op.create_table(
        "announcement_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("grant_id", sa.Integer(), nullable=False),
        sa.Column(
            "channel",
            sa.Enum(
                "TELEGRAM",
                "WHATSAPP",
                "SHELL",
                "WEB",
                name="channel",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcements.id"],
            name=op.f("fk_announcement_recipients_announcement_id_announcements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["access_grants.id"],
            name=op.f("fk_announcement_recipients_grant_id_access_grants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement_recipients")),
        sa.UniqueConstraint(
            "announcement_id", "grant_id", name=op.f("uq_announcement_recipients_announcement_id")
        ),
    )
    op.create_index(
        op.f("ix_announcement_recipients_announcement_id"),
        "announcement_recipients",
        ["announcement_id"],
        unique=False,
    )
    op.add_column("access_grants", sa.Column("reminders_stopped_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("access_grants") as batch:
        batch.drop_column("reminders_stopped_at")
    op.drop_table("announcement_recipients")
    op.drop_table("announcements")
    op.drop_index("ix_reminders_sent_rule_sent_at", table_name="reminders_sent")
    op.drop_table("reminders_sent")
