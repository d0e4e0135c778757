"""parked messages: WhatsApp messages answered 2xx before their turn committed

Revision ID: 0006_parked_messages
Revises: 0005_handed_over_index
Create Date: 2026-12-04 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_parked_messages"
down_revision: str | None = "0005_handed_over_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "parked_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_sid", sa.String(length=64), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("media", sa.JSON(), nullable=False),
        sa.Column("is_location", sa.Boolean(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "parked_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("lease_owner", sa.String(length=32), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parked_messages")),
        sa.UniqueConstraint("message_sid", name=op.f("uq_parked_messages_message_sid")),
    )
    op.create_index(
        "ix_parked_messages_chat", "parked_messages", ["chat_id", "received_at"], unique=False
    )
    op.create_index(
        op.f("ix_parked_messages_lease_until"), "parked_messages", ["lease_until"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_parked_messages_lease_until"), table_name="parked_messages")
    op.drop_index("ix_parked_messages_chat", table_name="parked_messages")
    op.drop_table("parked_messages")
