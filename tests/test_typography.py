"""French typography in the pages' own punctuation (issue 14, item 7): a label's colon comes
from the catalogue ("Besoins :", with a no-break space), never typed after a translated word
in a template; bin/check-translations checks the catalogue's own strings."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.template import Context, Template
from django.utils import translation

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# A colon typed right after a translated word or a variable: "{% translate 'Needs' %}:".
TYPED_COLON = re.compile(r"(?:{% translate [^%]+%}|}})\s?[:;?!](?=\s|<|$)", re.MULTILINE)
# Inside a {% blocktranslate %} the catalogue sets the punctuation.
BLOCKS = re.compile(r"{% blocktranslate.*?{% endblocktranslate %}", re.DOTALL)


def test_the_colon_filter_follows_the_language():
    template = Template('{% load typography %}{{ _("Needs")|colon }} {{ value|colon }}')
    with translation.override("en"):
        assert template.render(Context({"value": "<b>"})) == "Needs: &lt;b&gt;:"
    with translation.override("fr"):
        assert template.render(Context({"value": "x"})) == "Besoins\u00a0: x\u00a0:"


def test_no_template_types_punctuation_after_a_translated_word_or_a_value():
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group()}"
        for path in TEMPLATES.rglob("*.html")
        for match in TYPED_COLON.finditer(BLOCKS.sub("", path.read_text()))
    ]
    assert not found, "\n".join(found)
