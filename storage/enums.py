"""Closed sets of values stored in the database."""

from enum import StrEnum


class Role(StrEnum):
    CENTRAL = "central"  # ББОУБ
    DISTRICT = "district"  # district (city) ORT coordinator
    SCHOOL = "school"  # the teacher responsible for ORT at one school


class GrantKind(StrEnum):
    CURRENT = "current"  # this year's graduate of a school
    MZHB = "mzhb"  # МЖБ: graduate of earlier years


class MzhbCheck(StrEnum):
    """What the instruction requires a district coordinator to check before opening access."""

    PASSPORT_ORIGINAL = "passport_original"
    CERTIFICATE_ORIGINAL = "certificate_original"
    FACE_MATCHES_PASSPORT = "face_matches_passport"
    NAMES_MATCH = "names_match"


class RegistrationStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    REGISTERED = "registered"  # approved and paid


class DocumentKind(StrEnum):
    PASSPORT_FRONT = "passport_front"
    PASSPORT_BACK = "passport_back"
    CERTIFICATE = "certificate"
    FACE = "face"
    BENEFIT = "benefit"


class PaymentStatus(StrEnum):
    BEING_VERIFIED = "being_verified"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class Channel(StrEnum):
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"
    SHELL = "shell"
    WEB = "web"


class AuditFlag(StrEnum):
    ADD = "add"
    CHANGE = "change"
    DELETE = "delete"
    EXPORT = "export"  # a download of confidential data (passwords, access codes)


class MessageDirection(StrEnum):
    INBOUND = "inbound"  # from the user, recorded to process each provider message once
    OUTBOUND = "outbound"  # to the user, recorded before sending so that it is sent once
