"""A form field with its label, help and errors, as crispy-forms writes it, without its
templates (traffick_cm/field_html.py): {% load form_fields %}, then `{{ form.x|as_field }}`
for `{{ form.x|as_crispy_field }}`, and `{{ form.x|as_inline_field }}` for a row of radio
buttons or check boxes (crispy's bootstrap5/layout/radioselect_inline.html)."""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString

from traffick_cm.field_html import field_group

register = template.Library()


@register.filter
def as_field(field: BoundField) -> SafeString:
    if getattr(field.form, "helper", None) is not None:
        # A crispy helper may change the labels, the classes or the template.
        return as_crispy_field(field)
    return field_group(field)


@register.filter
def as_inline_field(field: BoundField) -> SafeString:
    return field_group(field, inline=True)
