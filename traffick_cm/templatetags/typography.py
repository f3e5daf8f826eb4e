"""The punctuation of the page's language: {{ label|colon }} writes "Needs:" in English and
"Besoins :" in French (a no-break space before the colon), from one translated pattern,
instead of a colon typed after a translated word in a template."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = template.Library()


@register.filter
def colon(text: object) -> SafeString:
    # Translators: a label followed by a colon; in French, a no-break space before it.
    pattern = gettext("%(label)s:")
    return mark_safe(pattern % {"label": conditional_escape(text)})  # noqa: S308 - escaped
