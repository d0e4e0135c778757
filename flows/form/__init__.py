"""The registration form as data: fields, their validators and the order they are asked in."""

from flows.form.definition import (
    EDITABLE,
    FIELDS,
    FORM,
    current_form,
    missing_fields,
    next_missing,
)
from flows.form.fields import Field, Form, Kind, Msg
from flows.form.validators import FormContext

__all__ = [
    "EDITABLE",
    "FIELDS",
    "FORM",
    "Field",
    "Form",
    "FormContext",
    "Kind",
    "Msg",
    "current_form",
    "missing_fields",
    "next_missing",
]
