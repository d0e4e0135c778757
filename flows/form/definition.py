"""The registration form of the instruction: step 0 (the student rule), then steps 1 to 5."""

from __future__ import annotations

from typing import Any

from config.campaign import Campaign
from core.validation import Accepted, Rejected
from flows.form.fields import Field, Kind, Label, Msg
from flows.form.validators import (
    FormContext,
    validate_birth_date,
    validate_extra_phone,
    validate_passport,
    validate_pin,
    validate_place,
)
from storage.enums import DocumentKind
from storage.repositories.places import district_and_city_names


def _yes_no(campaign: Campaign, lang: str) -> list[tuple[str, Label]]:
    return [("yes", Msg("option.yes")), ("no", Msg("option.no"))]


def _yes_no_value(choice: str, ctx: FormContext) -> Accepted[bool] | Rejected:
    return Accepted(choice == "yes")


def _confirm_personal(choice: str, ctx: FormContext) -> Accepted[bool] | Rejected:
    if choice == "yes":
        also = {"gender": ctx.answers["pin_gender"], "birth_date": ctx.answers["pin_birth_date"]}
        return Accepted(True, also=also)
    return Accepted(False)


def _genders(campaign: Campaign, lang: str) -> list[tuple[str, Label]]:
    return [("female", Msg("gender.female")), ("male", Msg("gender.male"))]


def _subjects(campaign: Campaign, lang: str) -> list[tuple[str, Label]]:
    return [(s.code, s.name(lang)) for s in campaign.subjects]


def _languages(campaign: Campaign, lang: str) -> list[tuple[str, Label]]:
    return [(c.code, c.name(lang)) for c in campaign.languages]


def _benefits(campaign: Campaign, lang: str) -> list[tuple[str, Label]]:
    return [(b.code, b.name(lang)) for b in campaign.benefits]


def _claims_benefits(answers: dict[str, Any]) -> bool:
    return answers.get("has_benefits") is True


def _pin_decoded(answers: dict[str, Any]) -> bool:
    return bool(answers.get("pin_birth_date"))


FORM: tuple[Field, ...] = (
    Field("is_student", 0, Kind.CHOICE, "ask.is_student", "field.is_student",
          validate=_yes_no_value, options=_yes_no),
    Field("pin", 1, Kind.TEXT, "ask.pin", "field.pin", validate=validate_pin,
          resets=("personal_confirm", "gender", "birth_date")),
    Field("personal_confirm", 1, Kind.CHOICE, "ask.personal_confirm", "field.personal_confirm",
          validate=_confirm_personal, options=_yes_no, condition=_pin_decoded),
    Field("gender", 1, Kind.CHOICE, "ask.gender", "field.gender", options=_genders),
    Field("birth_date", 1, Kind.TEXT, "ask.birth_date", "field.birth_date",
          validate=validate_birth_date),
    Field("passport", 1, Kind.TEXT, "ask.passport", "field.passport",
          validate=validate_passport),
    Field("city", 2, Kind.TEXT, "ask.city", "field.city", validate=validate_place,
          suggest=district_and_city_names),
    Field("village", 2, Kind.TEXT, "ask.village", "field.village", validate=validate_place),
    Field("street", 2, Kind.TEXT, "ask.street", "field.street", validate=validate_place),
    Field("extra_phone", 2, Kind.TEXT, "ask.extra_phone", "field.extra_phone",
          validate=validate_extra_phone, skippable=True),
    Field("subjects", 3, Kind.MULTI, "ask.subjects", "field.subjects", options=_subjects),
    Field("test_language", 3, Kind.CHOICE, "ask.test_language", "field.test_language",
          options=_languages),
    Field("passport_front", 4, Kind.FILE, "ask.passport_front", "field.passport_front",
          document=DocumentKind.PASSPORT_FRONT),
    Field("passport_back", 4, Kind.FILE, "ask.passport_back", "field.passport_back",
          document=DocumentKind.PASSPORT_BACK),
    Field("certificate", 4, Kind.FILE, "ask.certificate", "field.certificate",
          document=DocumentKind.CERTIFICATE),
    Field("has_benefits", 4, Kind.CHOICE, "ask.has_benefits", "field.has_benefits",
          validate=_yes_no_value, options=_yes_no),
    Field("benefit_categories", 4, Kind.MULTI, "ask.benefit_categories",
          "field.benefit_categories", options=_benefits, condition=_claims_benefits,
          min_choices=1),
    Field("benefit_documents", 4, Kind.BENEFIT_FILES, "ask.benefit_document",
          "field.benefit_documents", condition=_claims_benefits, document=DocumentKind.BENEFIT),
    Field("face_photo", 5, Kind.FILE, "ask.face_photo", "field.face_photo",
          document=DocumentKind.FACE),
)  # fmt: skip

FIELDS: dict[str, Field] = {f.name: f for f in FORM}
# Shown in the summary and offered for editing: what the applicant typed or chose.
EDITABLE: tuple[str, ...] = tuple(
    f.name for f in FORM if f.name not in {"is_student", "personal_confirm"}
)


def benefit_categories_missing_documents(answers: dict[str, Any]) -> list[str]:
    """Return the claimed categories not yet closed with at least one document."""
    done = set(answers.get("benefit_done") or [])
    return [c for c in answers.get("benefit_categories") or [] if c not in done]


def is_missing(field: Field, answers: dict[str, Any]) -> bool:
    """Tell whether `field` applies to the draft and still has no answer."""
    if not field.applies(answers):
        return False
    if field.kind is Kind.BENEFIT_FILES:
        return bool(benefit_categories_missing_documents(answers))
    return field.name not in answers


def next_missing(answers: dict[str, Any]) -> Field | None:
    """Return the first field still to be answered, in step order (None: the form is complete)."""
    return next((f for f in FORM if is_missing(f, answers)), None)


def missing_fields(answers: dict[str, Any]) -> list[Field]:
    return [f for f in FORM if is_missing(f, answers)]
