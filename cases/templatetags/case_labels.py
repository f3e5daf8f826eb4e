from django import template
from django_countries import countries

from cases import vocabularies

register = template.Library()


@register.filter
def labels(codes: list[str], vocabulary: str) -> str:
    """Translated labels of a list of codes, e.g.
    {{ case.exploitation_types|labels:"ExploitationType" }}."""
    if vocabulary == "Country":
        names = dict(countries)
    elif vocabulary.startswith("trainings."):
        from trainings import vocabularies as training_vocabularies

        names = dict(getattr(training_vocabularies, vocabulary.split(".", 1)[1]).choices)
    elif vocabulary.startswith("referrals."):
        from referrals import models as referral_models

        names = dict(getattr(referral_models, vocabulary.split(".", 1)[1]).choices)
    else:
        names = dict(getattr(vocabularies, vocabulary).choices)
    return ", ".join(str(names.get(code, code)) for code in codes or [])


@register.filter
def label(code: str, vocabulary: str) -> str:
    """The translated label of one code: {{ packet.sex|label:"Sex" }}."""
    return labels([code] if code else [], vocabulary)
