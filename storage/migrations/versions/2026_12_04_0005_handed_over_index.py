"""outbox_messages: a handed-over reply done is SQL NULL; a partial index finds the kept ones

Revision ID: 0005_handed_over_index
Revises: 0004_outbox
Create Date: 2026-12-04 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_handed_over_index"
down_revision: str | None = "0004_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEPT = "reply IS NOT NULL"


def upgrade() -> None:
    # Rows written before kept Python's None as the JSON text 'null', which IS NOT NULL too:
    # a notice's row, or a reply sent or given up. Both are "no reply kept".
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE outbox_messages SET reply = NULL WHERE reply::text = 'null'")
    else:
        op.execute("UPDATE outbox_messages SET reply = NULL WHERE reply = 'null'")
    op.create_index(
        "ix_outbox_messages_handed_over",
        "outbox_messages",
        ["channel", "chat_id"],
        unique=False,
        postgresql_where=sa.text(KEPT),
        sqlite_where=sa.text(KEPT),
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_messages_handed_over", table_name="outbox_messages")
