"""outbox: notices stored with the transaction that decided them, and their messages per chat

Revision ID: 0004_outbox
Revises: 0003_announcement_message_key
Create Date: 2026-12-03 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_outbox"
down_revision: str | None = "0003_announcement_message_key"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNEL = sa.Enum(
    "TELEGRAM", "WHATSAPP", "SHELL", "WEB", name="channel", native_enum=False, length=16
)


def upgrade() -> None:
    op.create_table(
        "outbox_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice", sa.JSON(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_notices")),
    )
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", CHANNEL, nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("notice", sa.JSON(), nullable=True),
        sa.Column("reply", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("parts_sent", sa.Integer(), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
        sa.UniqueConstraint("key", name=op.f("uq_outbox_messages_key")),
    )
    op.create_index(
        "ix_outbox_messages_status_chat",
        "outbox_messages",
        ["status", "channel", "chat_id", "id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_outbox_messages_not_before"), "outbox_messages", ["not_before"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_messages_not_before"), table_name="outbox_messages")
    op.drop_index("ix_outbox_messages_status_chat", table_name="outbox_messages")
    op.drop_table("outbox_messages")
    op.drop_table("outbox_notices")
