"""announcement_recipients.message_key: links each recipient to its WhatsApp outbox row

Revision ID: 0003_announcement_message_key
Revises: 0002_reminders
Create Date: 2026-12-03 15:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_announcement_message_key"
down_revision: str | None = "0002_reminders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("announcement_recipients") as batch:
        batch.add_column(sa.Column("message_key", sa.String(length=128), nullable=True))
        batch.create_index("ix_announcement_recipients_message_key", ["message_key"], unique=False)
    # Rows sent before this column existed carry the same key the notice used.
    op.execute(
        "UPDATE announcement_recipients SET message_key = 'announcement:' "
        "|| CAST(announcement_id AS VARCHAR(20)) || ':' || CAST(grant_id AS VARCHAR(20))"
    )


def downgrade() -> None:
    with op.batch_alter_table("announcement_recipients") as batch:
        batch.drop_index("ix_announcement_recipients_message_key")
        batch.drop_column("message_key")
