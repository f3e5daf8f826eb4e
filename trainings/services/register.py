"""A session's participant register: people added by hand or from a file, nobody twice."""

from __future__ import annotations

from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import log_action
from accounts.models import User
from accounts.policy import Action, can_on
from traffick_cm import crypto
from traffick_cm.imports import Cells, ImportReport, all_or_nothing, check_header, read_sheet
from trainings import vocabularies as v
from trainings.models import Participant, TrainingSession

REGISTER_COLUMNS = [
    "name",
    "organisation",
    "function",
    "sex",
    "phone",
    "email",
    "pre_score",
    "post_score",
]


def participant_key(name: str) -> str:
    return crypto.keyed_hash("participant:" + " ".join(crypto.name_tokens(name)))


@transaction.atomic
def participant_add(*, actor: User | None, session: TrainingSession, **fields: Any) -> Participant:
    # A person adds only to a register they may change (their organisation's sessions).
    if actor is not None and not can_on(actor, "training_register", Action.CHANGE, session):
        raise PermissionDenied
    name = (fields.get("name") or "").strip()
    if not name:
        raise ValidationError({"name": _("A name is required.")})
    # The session locked: the same person added twice at once is refused, not a crash.
    TrainingSession.objects.select_for_update().only("pk").get(pk=session.pk)
    key = participant_key(name)
    if Participant.objects.filter(session=session, name_key=key).exists():
        raise ValidationError({"name": _("This person is already on the register.")})
    participant = Participant(session=session, name_key=key, **fields)
    participant.full_clean()
    participant.save()
    log_action(
        "trainings.participant.added",
        actor=actor,
        target=session,
        data={"participant": participant.pk},
    )
    return participant


def import_register(
    *, name: str, stream: IO[bytes], session: TrainingSession, actor: User | None
) -> ImportReport:
    """A session's participant register, same rules: all or none, nobody twice. A person
    imports only into a register they may change (their organisation's sessions); the file
    creates participants of this session and nothing else."""
    if actor is not None and not can_on(actor, "training_register", Action.CHANGE, session):
        raise PermissionDenied
    report = ImportReport()
    sheet = read_sheet(name, stream)
    check_header(sheet.header, report, required=["name", "sex"], known=REGISTER_COLUMNS)
    report.rows = len(sheet.rows)
    if report.errors:
        return report
    candidates = [
        participant
        for number, values in sheet.rows
        if (participant := _participant(Cells(number, values, report), session))
    ]
    if report.errors:
        return report
    with all_or_nothing(report):
        # The session locked: two imports (or an import and a hand entry) at once add nobody
        # twice, and never fail on the register's unique constraint.
        TrainingSession.objects.select_for_update().only("pk").get(pk=session.pk)
        existing = set(session.participants.values_list("name_key", flat=True))
        to_create = []
        for participant in candidates:
            if participant.name_key in existing:
                report.already_imported += 1
                continue
            existing.add(participant.name_key)
            to_create.append(participant)
        Participant.objects.bulk_create(to_create)
        report.created = len(to_create)
        log_action(
            "trainings.register.imported",
            actor=actor,
            target=session,
            data={"rows": report.rows, "created": report.created},
        )
    return report


def _participant(cells: Cells, session: TrainingSession) -> Participant | None:
    """The row's participant (not yet saved), or None for a row without a name; a wrong sex
    or score is an error on its cell."""
    name = cells.raw("name")
    if not name:
        cells.error("name", _("A value is required."))
        return None
    sex = cells.raw("sex")
    if sex not in v.ParticipantSex.values:
        cells.error("sex", _("Use female, male or other."))
    return Participant(
        session=session,
        name=name,
        name_key=participant_key(name),
        sex=sex,
        organisation=cells.raw("organisation")[:200],
        function=cells.raw("function")[:120],
        phone=cells.raw("phone")[:40],
        email=cells.raw("email")[:200],
        **_scores(cells),
    )


def _scores(cells: Cells) -> dict[str, float]:
    """Scores from 0 to 100, with a decimal point or comma; an empty cell is no score."""
    scores = {}
    for column in ("pre_score", "post_score"):
        raw = cells.raw(column).replace(",", ".")
        if not raw:
            continue
        try:
            score = float(raw)
        except ValueError:
            score = -1
        if not 0 <= score <= 100:
            cells.error(column, _("A score from 0 to 100."))
            continue
        scores[column] = round(score, 1)
    return scores
