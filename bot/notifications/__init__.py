"""The system's own messages (notices): paced, stored in the outbox, sent by its sender."""
