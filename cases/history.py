"""The case history as people read it: each audit entry of a case (and of its referrals) as
a sentence in the reader's language, "Aïcha D. moved the case from Open to Assistance".

Reads (the case file viewed, exported, a document downloaded, a referral viewed) are many:
one person's reads of one kind on one day make one line, "viewed the case file 3 times".
That grouping is done by the database (`grouped`), so a page of the history is a page of
lines and the pager never splits a day's views.

A sentence names the person who acted as "First name + last initial." and says what changed
in words: statuses by their labels, records by their kind, referrals by their number and
partner. It never shows an action code, a model label, a record id or a personal value of
the victim (the audit entries hold none of those values anyway)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import BigIntegerField, Count, F, Max, Min, QuerySet, Value, When
from django.db.models import Case as Switch
from django.db.models.functions import TruncDate
from django.utils import formats, timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import AuditEntry, User
from cases.models import Case, Person
from traffick_cm import codebooks as v

CASE_TARGET = Case._meta.label_lower
# Referrals belong to the app above cases: reached through the relation, never imported.
Referral = Case.referrals.rel.related_model
REFERRAL_TARGET = Referral._meta.label_lower

# Reads: collapsed into one line per person, kind and day.
READS = frozenset(
    {
        "cases.case.viewed",
        "cases.case.exported",
        "cases.document.downloaded",
        "referrals.referral.viewed",
    }
)


@dataclass(frozen=True)
class HistoryLine:
    """One line of the history: one entry, or one person's reads of one kind on one day."""

    action: str
    actor: User | None
    sentence: str
    day: date
    first_at: datetime
    at: datetime
    count: int = 1


def actor_name(user: User | None) -> str:
    """ "Aïcha D.": first name and last initial, as colleagues know each other."""
    if user is None:
        return _("The system")
    first, last = user.first_name.strip(), user.last_name.strip()
    if first and last:
        return f"{first} {last[0].upper()}."
    return first or last or user.username


def grouped(entries: QuerySet[AuditEntry]) -> QuerySet:
    """The entries as history lines, newest first: one row per entry, except reads, one row
    per person, kind, record and local day. Each row carries the id of its latest entry
    (`last`), its first and last times and its count."""
    return (
        entries.annotate(
            day=TruncDate("at", tzinfo=timezone.get_current_timezone()),
            line=Switch(
                When(action__in=READS, then=Value(0)),
                default=F("id"),
                output_field=BigIntegerField(),
            ),
        )
        .values("actor", "action", "target_type", "target_id", "day", "line")
        .annotate(last=Max("id"), first_at=Min("at"), last_at=Max("at"), count=Count("id"))
        .order_by("-last_at", "-last")
    )


def lines(rows: Iterable[dict[str, Any]]) -> list[HistoryLine]:
    """A page of `grouped` rows as sentences, in a fixed number of queries: the latest
    entry of each row, and the referrals and caseworkers the sentences name."""
    rows = list(rows)
    entries = AuditEntry.objects.select_related("actor").in_bulk([r["last"] for r in rows])
    context = _Context.load(entries.values())
    result = []
    for row in rows:
        entry = entries[row["last"]]
        result.append(
            HistoryLine(
                action=entry.action,
                actor=entry.actor,
                sentence=sentence(entry, count=row["count"], context=context),
                day=row["day"],
                first_at=row["first_at"],
                at=row["last_at"],
                count=row["count"],
            )
        )
    return result


@dataclass
class _Context:
    """What sentences name beyond the entry itself, read once for a page."""

    referrals: dict[int, Any]
    users: dict[int, User]

    @classmethod
    def load(cls, entries: Iterable[AuditEntry]) -> _Context:
        referral_ids, user_ids = set(), set()
        for entry in entries:
            if entry.target_type == REFERRAL_TARGET and entry.target_id.isdigit():
                referral_ids.add(int(entry.target_id))
            if entry.action == "cases.case.assigned":
                data = entry.data
                user_ids.update(_ints(data.get("after")))
                user_ids.update(_ints([data.get("primary")]))
        referrals = (
            Referral.objects.select_related("to_organisation").in_bulk(referral_ids)
            if referral_ids
            else {}
        )
        users = User.objects.in_bulk(user_ids) if user_ids else {}
        return cls(referrals=referrals, users=users)


def _ints(values: Any) -> list[int]:
    return [x for x in (values or []) if isinstance(x, int) and not isinstance(x, bool)]


def _label(choices: type, code: Any) -> str:
    """A code's display label; an unknown code is never shown as it is."""
    try:
        return str(choices(code).label)
    except ValueError:
        return _("unknown")


def _date(value: Any) -> str:
    try:
        return formats.date_format(date.fromisoformat(str(value)), "DATE_FORMAT")
    except ValueError:
        return _("an unknown date")


def sentence(entry: AuditEntry, *, count: int = 1, context: _Context | None = None) -> str:
    """The entry as one sentence in the active language."""
    context = context or _Context(referrals={}, users={})
    who = actor_name(entry.actor)
    data = entry.data if isinstance(entry.data, dict) else {}
    if entry.target_type == REFERRAL_TARGET:
        return _referral_sentence(entry.action, who, data, count, entry.target_id, context)
    build = CASE_SENTENCES.get(entry.action)
    if build is not None:
        return build(who, data, count, context)
    if entry.action in READS or entry.action.endswith((".viewed", ".downloaded", ".exported")):
        return ngettext(
            "%(actor)s read the case file.", "%(actor)s read the case file %(count)s times.", count
        ) % {"actor": who, "count": count}
    return _("%(actor)s made a change to the case file.") % {"actor": who}


# The case file's own entries


def _created(who, data, count, context) -> str:
    if data.get("via") == "import":
        text = _("%(actor)s imported the case from a file, in status %(status)s.")
    else:
        text = _("%(actor)s registered the case, in status %(status)s.")
    text %= {"actor": who, "status": _label(v.CaseStatus, data.get("status"))}
    if data.get("possible_duplicates"):
        text += " " + _("A possible earlier registration of the same person was flagged.")
    return text


def _viewed(who, data, count, context) -> str:
    return ngettext(
        "%(actor)s viewed the case file.", "%(actor)s viewed the case file %(count)s times.", count
    ) % {"actor": who, "count": count}


def _exported(who, data, count, context) -> str:
    if count == 1 and data.get("format") == "pdf":
        return _("%(actor)s downloaded the case summary as a PDF.") % {"actor": who}
    if count == 1:
        return _("%(actor)s exported the case in a spreadsheet of cases.") % {"actor": who}
    return ngettext(
        "%(actor)s exported the case file.",
        "%(actor)s exported the case file %(count)s times.",
        count,
    ) % {"actor": who, "count": count}


def _document_downloaded(who, data, count, context) -> str:
    return ngettext(
        "%(actor)s downloaded a document of the case file.",
        "%(actor)s downloaded documents of the case file %(count)s times.",
        count,
    ) % {"actor": who, "count": count}


def _field_label(name: str) -> str | None:
    for model in (Case, Person):
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            pass
    return None


def _changed(who, data, count, context) -> str:
    labels = [label for label in map(_field_label, sorted(data)) if label]
    if not labels:
        return _("%(actor)s changed the case file.") % {"actor": who}
    return _("%(actor)s changed the case file: %(fields)s.") % {
        "actor": who,
        "fields": get_text_list(labels, _("and")),
    }


def _status_changed(who, data, count, context) -> str:
    return _("%(actor)s moved the case from %(from)s to %(to)s.") % {
        "actor": who,
        "from": _label(v.CaseStatus, data.get("from")),
        "to": _label(v.CaseStatus, data.get("to")),
    }


def _closure(text: Any) -> Callable[..., str]:
    def build(who, data, count, context) -> str:
        return str(text) % {"actor": who, "reason": _label(v.ClosureReason, data.get("reason"))}

    return build


def _closure_returned(who, data, count, context) -> str:
    return _("%(actor)s returned the request to close the case to the caseworker.") % {"actor": who}


def _assigned(who, data, count, context) -> str:
    team = [actor_name(context.users[pk]) for pk in _ints(data.get("after")) if pk in context.users]
    primary = context.users.get(data.get("primary")) if _ints([data.get("primary")]) else None
    if not team:
        return _("%(actor)s removed every caseworker from the case.") % {"actor": who}
    text = _("%(actor)s assigned the case to %(team)s.") % {
        "actor": who,
        "team": get_text_list(sorted(team), _("and")),
    }
    if primary is not None:
        text += " " + _("Caseworker in charge: %(name)s.") % {"name": actor_name(primary)}
    return text


def _consent_text(scope: str, state: str) -> str:
    """One whole sentence per scope and state: the translator sees each as it reads."""
    texts = {
        ("data_collection", "granted"): _("%(actor)s recorded consent to data collection."),
        ("data_collection", "refused"): _("%(actor)s recorded a refusal of data collection."),
        ("data_collection", "withdrawn"): _(
            "%(actor)s recorded that consent to data collection was withdrawn."
        ),
        ("referral_sharing", "granted"): _("%(actor)s recorded consent to share with partners."),
        ("referral_sharing", "refused"): _("%(actor)s recorded a refusal to share with partners."),
        ("referral_sharing", "withdrawn"): _(
            "%(actor)s recorded that consent to share with partners was withdrawn."
        ),
        ("contact", "granted"): _("%(actor)s recorded consent to be contacted."),
        ("contact", "refused"): _("%(actor)s recorded a refusal to be contacted."),
        ("contact", "withdrawn"): _(
            "%(actor)s recorded that consent to be contacted was withdrawn."
        ),
        ("documents_photos", "granted"): _(
            "%(actor)s recorded consent to keep documents and photos."
        ),
        ("documents_photos", "refused"): _(
            "%(actor)s recorded a refusal to keep documents and photos."
        ),
        ("documents_photos", "withdrawn"): _(
            "%(actor)s recorded that consent to keep documents and photos was withdrawn."
        ),
    }
    generic = {
        "granted": _("%(actor)s recorded a consent."),
        "refused": _("%(actor)s recorded a refusal of consent."),
        "withdrawn": _("%(actor)s recorded that a consent was withdrawn."),
    }
    return texts.get((scope, state), generic[state])


def _consent_recorded(who, data, count, context) -> str:
    state = "granted" if data.get("granted") else "refused"
    text = _consent_text(data.get("scope"), state) % {"actor": who}
    giver = data.get("given_by")
    if giver and giver != v.ConsentGiver.PERSON:
        text += " " + _("Given by: %(giver)s.") % {"giver": _label(v.ConsentGiver, giver)}
    return text + _withdrawn_referrals(data)


def _consent_withdrawn(who, data, count, context) -> str:
    return _consent_text(data.get("scope"), "withdrawn") % {"actor": who} + _withdrawn_referrals(
        data
    )


def _withdrawn_referrals(data: dict[str, Any]) -> str:
    n = len(_ints(data.get("referrals_withdrawn")))
    if not n:
        return ""
    return " " + ngettext(
        "The details shared through %(count)s referral were withdrawn.",
        "The details shared through %(count)s referrals were withdrawn.",
        n,
    ) % {"count": n}


def _event_added(who, data, count, context) -> str:
    return _("%(actor)s added a trafficking event: %(type)s.") % {
        "actor": who,
        "type": _label(v.EventType, data.get("type")),
    }


def _assessment_added(who, data, count, context) -> str:
    if data.get("risk_level"):
        return _("%(actor)s added an assessment, risk level: %(risk)s.") % {
            "actor": who,
            "risk": _label(v.RiskLevel, data["risk_level"]),
        }
    return _("%(actor)s added an assessment.") % {"actor": who}


def _support_plan_added(who, data, count, context) -> str:
    return _("%(actor)s added a support plan: %(type)s.") % {
        "actor": who,
        "type": _label(v.SupportPlanType, data.get("type")),
    }


def _service_recorded(who, data, count, context) -> str:
    return _("%(actor)s recorded a service delivered: %(service)s.") % {
        "actor": who,
        "service": _label(v.ServiceType, data.get("service_type")),
    }


def _follow_up_added(who, data, count, context) -> str:
    return _("%(actor)s planned a follow-up for %(date)s.") % {
        "actor": who,
        "date": _date(data.get("due_on")),
    }


def _document_uploaded(who, data, count, context) -> str:
    return _("%(actor)s added a document: %(kind)s.") % {
        "actor": who,
        "kind": _label(v.DocumentKind, data.get("kind")),
    }


def _legal(text: Any) -> Callable[..., str]:
    def build(who, data, count, context) -> str:
        return str(text) % {
            "actor": who,
            "stage": _label(v.LegalStage, data.get("stage")),
            "outcome": _label(v.LegalOutcome, data.get("outcome")),
        }

    return build


def _plain(text: Any) -> Callable[..., str]:
    def build(who, data, count, context) -> str:
        return str(text) % {"actor": who}

    return build


# Every action code written against a case, with its sentence. A code missing here still
# reads as a sentence (`sentence`'s fallback), never as the code.
CASE_SENTENCES: dict[str, Callable[..., str]] = {
    "cases.case.created": _created,
    "cases.case.viewed": _viewed,
    "cases.case.exported": _exported,
    "cases.case.changed": _changed,
    "cases.case.status_changed": _status_changed,
    "cases.case.closure_requested": _closure(
        gettext_lazy("%(actor)s asked to close the case: %(reason)s.")
    ),
    "cases.case.closure_approved": _closure(
        gettext_lazy("%(actor)s approved closing the case: %(reason)s.")
    ),
    "cases.case.closure_returned": _closure_returned,
    "cases.case.assigned": _assigned,
    "cases.consent.recorded": _consent_recorded,
    "cases.consent.withdrawn": _consent_withdrawn,
    "cases.event.added": _event_added,
    "cases.event.deleted": _plain(gettext_lazy("%(actor)s deleted a trafficking event.")),
    "cases.assessment.added": _assessment_added,
    "cases.support_plan.added": _support_plan_added,
    "cases.support_plan.ended": _plain(gettext_lazy("%(actor)s ended a support plan.")),
    "cases.service.recorded": _service_recorded,
    "cases.note.added": _plain(gettext_lazy("%(actor)s added a case note.")),
    "cases.follow_up.added": _follow_up_added,
    "cases.follow_up.done": _plain(gettext_lazy("%(actor)s marked a follow-up as done.")),
    "cases.document.uploaded": _document_uploaded,
    "cases.document.downloaded": _document_downloaded,
    "cases.legal.added": _legal(
        gettext_lazy("%(actor)s recorded legal proceedings: %(stage)s, outcome %(outcome)s.")
    ),
    "cases.legal.changed": _legal(
        gettext_lazy("%(actor)s updated the legal proceedings: %(stage)s, outcome %(outcome)s.")
    ),
}


# The case's referrals: named by their number and partner, as on the case file.

REFERRAL_SENTENCES: dict[str, Any] = {
    "created": gettext_lazy("%(actor)s drafted referral %(number)s to %(organisation)s."),
    "sent": gettext_lazy("%(actor)s sent referral %(number)s to %(organisation)s."),
    "consent_overridden": gettext_lazy(
        "%(actor)s sent referral %(number)s to %(organisation)s without consent, as an emergency."
    ),
    "accepted": gettext_lazy("%(actor)s accepted referral %(number)s for %(organisation)s."),
    "declined": gettext_lazy("%(actor)s declined referral %(number)s for %(organisation)s."),
    "started": gettext_lazy(
        "%(actor)s started the service of referral %(number)s at %(organisation)s."
    ),
    "completed": gettext_lazy(
        "%(actor)s reported the service of referral %(number)s at %(organisation)s as completed."
    ),
    "closed_without_service": gettext_lazy(
        "%(actor)s closed referral %(number)s to %(organisation)s without the service."
    ),
    "cancelled": gettext_lazy("%(actor)s cancelled referral %(number)s to %(organisation)s."),
    "packet_withdrawn": gettext_lazy(
        "%(actor)s withdrew the details shared with %(organisation)s through referral %(number)s."
    ),
    "reminder_sent": gettext_lazy(
        "%(actor)s sent a reminder: referral %(number)s to %(organisation)s is past its "
        "response deadline."
    ),
}


def _recipient(referral: Any) -> str:
    if referral is None:
        return ""
    if referral.to_organisation is not None:
        return referral.to_organisation.name
    return referral.external_organisation


def _referral_sentence(
    action: str, who: str, data: dict[str, Any], count: int, target_id: str, context: _Context
) -> str:
    pk = int(target_id) if target_id.isdigit() else None
    referral = context.referrals.get(pk) if pk is not None else None
    values = {
        "actor": who,
        "count": count,
        "number": f"R-{pk:06d}" if pk is not None else _("without a number"),
        "organisation": _recipient(referral) or _("a partner"),
    }
    verb = action.rsplit(".", 1)[-1]
    if verb == "viewed":
        return (
            ngettext(
                "%(actor)s viewed referral %(number)s to %(organisation)s.",
                "%(actor)s viewed referral %(number)s to %(organisation)s %(count)s times.",
                count,
            )
            % values
        )
    text = REFERRAL_SENTENCES.get(verb)
    if text is None:
        return _("%(actor)s made a change to referral %(number)s to %(organisation)s.") % values
    text = str(text) % values
    if verb == "cancelled" and data.get("packet_withdrawn"):
        text += " " + _("The details shared with the partner were withdrawn.")
    return text
