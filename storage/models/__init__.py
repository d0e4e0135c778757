"""Every model, imported here so that metadata and Alembic see them all."""

from storage.models.announcements import Announcement, AnnouncementRecipient
from storage.models.audit import AuditEntry
from storage.models.chats import LinkedChat
from storage.models.documents import Document
from storage.models.geography import District, Oblast, School
from storage.models.grants import AccessGrant
from storage.models.history import RegistrationEvent
from storage.models.messages import ChannelMessage
from storage.models.officers import Officer, WebSession
from storage.models.outbox import OutboxMessage, OutboxNotice
from storage.models.parked import ParkedMessage
from storage.models.payments import Payment
from storage.models.registrations import Registration
from storage.models.reminders import ReminderSent

__all__ = [
    "AccessGrant",
    "Announcement",
    "AnnouncementRecipient",
    "AuditEntry",
    "ChannelMessage",
    "District",
    "Document",
    "LinkedChat",
    "Oblast",
    "Officer",
    "OutboxMessage",
    "OutboxNotice",
    "ParkedMessage",
    "Payment",
    "Registration",
    "RegistrationEvent",
    "ReminderSent",
    "School",
    "WebSession",
]
