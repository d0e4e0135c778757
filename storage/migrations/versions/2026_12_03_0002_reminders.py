"""reminders: sent reminders and the applicant's STOP

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
    op.add_column("access_grants", sa.Column("reminders_stopped_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("access_grants") as batch:
        batch.drop_column("reminders_stopped_at")
    op.drop_index("ix_reminders_sent_rule_sent_at", table_name="reminders_sent")
    op.drop_table("reminders_sent")
