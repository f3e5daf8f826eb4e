"""What may be uploaded: the type is read from the content, never from the file's name, and
checked against an allow-list; the size is limited."""

from __future__ import annotations

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png", XLSX: "xlsx", DOCX: "docx"}
NAMES = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG", XLSX: "XLSX", DOCX: "DOCX"}

_MAGIC = [(b"%PDF-", PDF), (b"\xff\xd8\xff", JPEG), (b"\x89PNG\r\n\x1a\n", PNG)]


def max_upload_bytes() -> int:
    return settings.MAX_UPLOAD_MB * 1024 * 1024


def _office_type(upload: UploadedFile) -> str | None:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("xl/") for n in names):
        return XLSX
    if any(n.startswith("word/") for n in names):
        return DOCX
    return None


def sniff(upload: UploadedFile, allowed: frozenset[str]) -> str:
    """The content type of an allowed upload, or a ValidationError on "upload"."""
    if upload.size > max_upload_bytes():
        raise ValidationError(
            {"upload": _("The file is larger than %(mb)s MB.") % {"mb": settings.MAX_UPLOAD_MB}}
        )
    if upload.size == 0:
        raise ValidationError({"upload": _("The file is empty.")})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    found = next((kind for magic, kind in _MAGIC if head.startswith(magic)), None)
    if found is None and head.startswith(b"PK\x03\x04"):
        found = _office_type(upload)
    if found not in allowed:
        raise ValidationError(
            {
                "upload": _("Only these kinds of file can be attached: %(kinds)s.")
                % {"kinds": ", ".join(sorted(NAMES[k] for k in allowed))}
            }
        )
    return found
