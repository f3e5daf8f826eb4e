"""Translated labels of codes in templates: {% load labels %}."""

from django import template
from django_countries import countries

from traffick_cm.codebooks import VOCABULARIES

register = template.Library()


@register.filter
def labels(codes: list[str], vocabulary: str) -> str:
    """Translated labels of a list of codes, e.g.
    {{ case.exploitation_types|labels:"ExploitationType" }} or
    {{ session.audiences|labels:"trainings.Audience" }}."""
    names = dict(countries) if vocabulary == "Country" else dict(VOCABULARIES[vocabulary].choices)
    return ", ".join(str(names.get(code, code)) for code in codes or [])


@register.filter
def label(code: str, vocabulary: str) -> str:
    """The translated label of one code: {{ packet.sex|label:"Sex" }}."""
    return labels([code] if code else [], vocabulary)
