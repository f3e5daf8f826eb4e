"""Input through the pages' own forms: a JSON body is checked by the same Django form the
page uses, so that the API accepts exactly what the page accepts, with the same messages."""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from rest_framework import exceptions

F = TypeVar("F", bound=forms.BaseForm)


def _form_data(data: Any) -> MultiValueDict:
    """JSON as form fields: lists as repeated values, true/false as a checkbox sends them,
    null as empty."""
    if not isinstance(data, dict):
        raise exceptions.ValidationError(
            {"non_field_errors": [_("Send a JSON object.")]}, code="invalid"
        )
    values = MultiValueDict()
    for name, value in data.items():
        if isinstance(value, list):
            values.setlist(name, ["" if v is None else str(v) for v in value])
        elif isinstance(value, bool):
            if value:
                values[name] = "on"
        elif value is None:
            values[name] = ""
        else:
            values[name] = str(value)
    return values


def form_errors(form: forms.BaseForm) -> dict[str, list[str]]:
    return {
        ("non_field_errors" if field == "__all__" else field): [e["message"] for e in errors]
        for field, errors in form.errors.get_json_data().items()
    }


def clean(form_class: type[forms.BaseForm], data: Any, **kwargs: Any) -> dict[str, Any]:
    """The form's cleaned data, or a 400 with its field errors. Fields a PATCH leaves out
    are filled from `initial` (the record as it is) by the caller."""
    return dict(valid_form(form_class, data, **kwargs).cleaned_data)


def valid_form(form_class: type[F], data: Any, **kwargs: Any) -> F:
    """The page's form bound to `data` and valid (for a caller that needs the form's own
    methods, as the page's view calls them), or a 400 with its field errors."""
    form = form_class(data=_form_data(data), **kwargs)
    unknown = sorted(set(data) - set(form.fields))
    if unknown:
        # Never silently ignored: a field the page does not offer this user is refused.
        raise exceptions.ValidationError(
            {name: [_("This field does not exist or cannot be set here.")] for name in unknown}
        )
    if not form.is_valid():
        raise exceptions.ValidationError(form_errors(form))
    return form


def service_errors(error: DjangoValidationError) -> exceptions.ValidationError:
    """A service's refusal as field errors, like `attach_service_errors` on a page."""
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(
            {
                ("non_field_errors" if k == "__all__" else k): [str(m) for m in v]
                for k, v in error.message_dict.items()
            }
        )
    return exceptions.ValidationError({"non_field_errors": error.messages})


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if hasattr(value, "pk"):
        return value.pk
    if value is None or isinstance(value, bool | int):
        return value
    return str(value)


def merged(instance: Any, form_class: type[forms.ModelForm], data: Any) -> dict[str, Any]:
    """A PATCH as the whole form: the record's current values, with the fields sent."""
    if not isinstance(data, dict):
        raise exceptions.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
    current = forms.model_to_dict(instance, fields=form_class._meta.fields)
    return {**{k: _plain(v) for k, v in current.items()}, **data}


# Query parameters of the API itself, not filters of a list.
API_PARAMETERS = frozenset({"cursor", "page_size", "updated_since", "format"})


def query_filters(form_class: type[forms.Form], request: Any, **kwargs: Any) -> dict[str, Any]:
    """A list's filters from the query string, checked by the page's filter form: a bad
    value is a 400 naming it (a page quietly ignores it)."""
    params = {
        name: values if len(values) > 1 else values[0]
        for name, values in request.query_params.lists()
        if name not in API_PARAMETERS
    }
    return clean(form_class, params, **kwargs)
