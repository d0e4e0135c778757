"""The registration form as data: fields, their validators and the order they are asked in."""

from flows.form.definition import EDITABLE, FIELDS, FORM, is_missing, missing_fields, next_missing
from flows.form.fields import Field, Kind, Msg
from flows.form.validators import FormContext

__all__ = [
    "EDITABLE",
    "FIELDS",
    "FORM",
    "Field",
    "FormContext",
    "Kind",
    "Msg",
    "is_missing",
    "missing_fields",
    "next_missing",
]
