"""The CTDC release of a calendar year: made once, at one k, and kept (reports/ctdc.py makes
the anonymised dataset). Two files of the same year at different k, or made on different days,
could be set side by side to single people out, so a year is never made twice."""

from __future__ import annotations

import hashlib
import io
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import formats
from django.utils.translation import gettext as _

from accounts.audit import log_action, log_read
from reports.ctdc import check_k, export
from reports.models import CtdcRelease
from reports.services import files


def release(*, year: int, k: int, actor: Any, today: date) -> tuple[Any, bool]:
    """The CTDC release of a calendar year of registration that has ended: the stored one, or
    made now, once. Asking for a year already released at another k is refused (the stored
    release is the only one); returns (release, made now)."""
    check_k(k)
    if not isinstance(year, int) or year >= today.year or year < 1900:
        raise ValidationError(
            _("Choose a calendar year that has ended: %(year)s is not one.") % {"year": year},
            code="year_not_ended",
        )
    existing = CtdcRelease.objects.filter(year=year).first()
    if existing is None:
        buffer = io.StringIO()
        summary = export(buffer, k=k, year=year)
        content = buffer.getvalue().encode()
        made = CtdcRelease(
            year=year,
            k=k,
            checksum=hashlib.sha256(content).hexdigest(),
            size=len(content),
            records=summary["records"],
            left_out=summary["left_out"],
            created_by=actor,
        )
        made.file.save(f"k{k}.csv", ContentFile(content), save=False)
        try:
            with transaction.atomic():
                made.save()
                log_action(
                    "reports.ctdc.released",
                    actor=actor,
                    target=made,
                    data={"year": year, "k": k, "records": made.records, "checksum": made.checksum},
                )
        except IntegrityError:
            # Another request released the year meanwhile: theirs is the release.
            made.file.delete(save=False)
            existing = CtdcRelease.objects.get(year=year)
        else:
            return made, True
    if existing.k != k:
        raise ValidationError(
            _(
                "The %(year)s release was made with k = %(k)s on %(date)s. A year is released "
                "once, at one k: files of the same people at two values of k could be set "
                "side by side to single people out. Download the release made."
            )
            % {
                "year": year,
                "k": existing.k,
                "date": formats.date_format(existing.created_at, "DATE_FORMAT"),
            },
            code="released_at_another_k",
        )
    return existing, False


def release_download(*, year: int, k: int, actor: Any, today: date) -> Any:
    """The year's release for the M&E officer to download: released now if need be; the read
    is audited."""
    made_release, _made = release(year=year, k=k, actor=actor, today=today)
    _audit_export(made_release, actor=actor)
    return made_release


def release_to_file(*, year: int, k: int, today: date, output: Path) -> tuple[Any, bool]:
    """The year's release written whole to a file at the server (manage.py export_ctdc),
    released now if need be, then audited (a write that fails is not). Returns (release,
    made now)."""
    made_release, made = release(year=year, k=k, actor=None, today=today)
    with made_release.file.open("rb") as source:
        files.write_whole(output, source.read())
    _audit_export(made_release, actor=None, made_now=made, via="command line")
    return made_release, made


def _audit_export(made_release: Any, *, actor: Any, **details: Any) -> None:
    log_read(
        "reports.ctdc.exported",
        actor=actor,
        target=made_release,
        data={
            "year": made_release.year,
            "k": made_release.k,
            "records": made_release.records,
            **details,
        },
    )
