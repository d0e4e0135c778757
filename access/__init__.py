"""Access management: officer accounts, the school codifier, access grants, exports, audit log.

Every public function takes an `AsyncSession` first (the caller owns the transaction), checks
the acting officer's scope itself, and returns `core.validation.Accepted | Rejected` for user
mistakes. `Rejected.message_id` is a key of the `access` catalog (`access/locale`), except
``error.phone.*`` and ``error.name.*``, which come from the `bot` catalog (`core/locale`).
"""
