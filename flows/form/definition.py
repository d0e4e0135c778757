"""The registration form of the instruction: step 0 (the student rule), then steps 1 to 5."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from config.campaign import Campaign
from core.dates import editable_date, local_date
from core.people import format_phone
from core.validation import Accepted, Rejected
from flows.form.fields import Cascade, Field, Form, Kind, Label, Msg, PerChoice
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


def _mandatory_tests(campaign: Campaign, lang: str) -> list[tuple[str, Label]]:
    return [(t.code, t.name(lang)) for t in campaign.mandatory_tests]


def _phone(value: str, lang: str) -> str:
    return format_phone(value)


# Each claimed benefit category needs its documents, closed one category at a time.
BENEFIT_DOCUMENTS = PerChoice(
    choices="benefit_categories",
    documents="benefit_docs",
    closed="benefit_done",
    declined_by="has_benefits",
)


def _read_from_pin(
    answers: dict[str, Any], label: Callable[[Label], str], lang: str
) -> dict[str, Any]:
    """Return the gender and birth date the PIN encodes, for the applicant to confirm."""
    params: dict[str, Any] = {}
    if answers.get("pin_gender"):
        # Mid-sentence ("пол — мужской"): the button's label in lower case.
        params["gender"] = label(Msg(f"gender.{answers['pin_gender']}")).lower()
    if answers.get("pin_birth_date"):
        params["birth_date"] = local_date(answers["pin_birth_date"], lang)
    return params


def _benefits_answered(answers: dict[str, Any], claims: bool) -> Cascade:
    """No benefits claimed: the categories, their documents and closings go."""
    if claims:
        return Cascade()
    withdrawn = tuple(answers.get("benefit_categories") or [])
    remove = ("benefit_categories", "benefit_docs", "benefit_done")
    return Cascade(remove=remove, set_aside=withdrawn)


def _categories_chosen(answers: dict[str, Any], chosen: list[str]) -> Cascade:
    """Categories no longer claimed lose their documents; those still claimed stay as closed."""
    documents = BENEFIT_DOCUMENTS.documents_of(answers)
    kept = {code: ids for code, ids in documents.items() if code in chosen}
    closed = [c for c in answers.get("benefit_done") or [] if c in chosen]
    withdrawn = tuple(c for c in answers.get("benefit_categories") or [] if c not in chosen)
    changes = {"benefit_docs": kept, "benefit_done": closed}
    return Cascade(changes=changes, set_aside=withdrawn)


def _claims_benefits(answers: dict[str, Any]) -> bool:
    return answers.get("has_benefits") is True


def _pin_decoded(answers: dict[str, Any]) -> bool:
    return bool(answers.get("pin_birth_date"))


FORM = Form((
    Field("is_student", 0, Kind.CHOICE, "ask.is_student", "field.is_student",
          validate=_yes_no_value, options=_yes_no, editable=False, refuses=True),
    Field("pin", 1, Kind.TEXT, "ask.pin", "field.pin", validate=validate_pin,
          resets=("personal_confirm", "gender", "birth_date"), numeric=True),
    Field("personal_confirm", 1, Kind.CHOICE, "ask.personal_confirm", "field.personal_confirm",
          validate=_confirm_personal, options=_yes_no, condition=_pin_decoded, editable=False,
          prompt_params=_read_from_pin),
    Field("gender", 1, Kind.CHOICE, "ask.gender", "field.gender", options=_genders),
    Field("birth_date", 1, Kind.TEXT, "ask.birth_date", "field.birth_date",
          validate=validate_birth_date, display=local_date, editable_text=editable_date,
          placeholder="05.09.2007"),
    Field("passport", 1, Kind.TEXT, "ask.passport", "field.passport",
          validate=validate_passport),
    Field("city", 2, Kind.TEXT, "ask.city", "field.city", validate=validate_place,
          suggest=district_and_city_names),
    Field("village", 2, Kind.TEXT, "ask.village", "field.village", validate=validate_place),
    Field("street", 2, Kind.TEXT, "ask.street", "field.street", validate=validate_place),
    Field("extra_phone", 2, Kind.TEXT, "ask.extra_phone", "field.extra_phone",
          validate=validate_extra_phone, skippable=True, display=_phone),
    Field("subjects", 3, Kind.MULTI, "ask.subjects", "field.subjects", options=_subjects,
          fixed_options=_mandatory_tests, priced=True),
    Field("test_language", 3, Kind.CHOICE, "ask.test_language", "field.test_language",
          options=_languages),
    Field("passport_front", 4, Kind.FILE, "ask.passport_front", "field.passport_front",
          document=DocumentKind.PASSPORT_FRONT),
    Field("passport_back", 4, Kind.FILE, "ask.passport_back", "field.passport_back",
          document=DocumentKind.PASSPORT_BACK),
    Field("certificate", 4, Kind.FILE, "ask.certificate", "field.certificate",
          document=DocumentKind.CERTIFICATE),
    Field("has_benefits", 4, Kind.CHOICE, "ask.has_benefits", "field.has_benefits",
          validate=_yes_no_value, options=_yes_no, on_change=_benefits_answered),
    Field("benefit_categories", 4, Kind.MULTI, "ask.benefit_categories",
          "field.benefit_categories", options=_benefits, condition=_claims_benefits,
          min_choices=1, on_change=_categories_chosen),
    Field("benefit_documents", 4, Kind.BENEFIT_FILES, "ask.benefit_document",
          "field.benefit_documents", condition=_claims_benefits, document=DocumentKind.BENEFIT,
          per_choice=BENEFIT_DOCUMENTS),
    Field("face_photo", 5, Kind.FILE, "ask.face_photo", "field.face_photo",
          document=DocumentKind.FACE),
))  # fmt: skip


def current_form() -> Form:
    """Return the form the product asks: the one place the engine reads it from.

    Read at call time, so that a test may put another form in its place.
    """
    return FORM


# Names kept for readers of the fixed product form (officers' prompts, retention, rejection).
FIELDS: dict[str, Field] = FORM.by_name
EDITABLE: tuple[str, ...] = tuple(f.name for f in FORM.editable)


def next_missing(answers: dict[str, Any]) -> Field | None:
    """Return the first field still to be answered, in step order (None: the form is complete)."""
    return current_form().next_missing(answers)


def missing_fields(answers: dict[str, Any]) -> list[Field]:
    return current_form().missing(answers)
