"""What may be uploaded to a case file: checked by content, never by the file's name."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

# Magic numbers of the allowed types.
SIGNATURES = [
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
]
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def max_upload_bytes() -> int:
    return getattr(settings, "MAX_UPLOAD_MB", 10) * 1024 * 1024


def sniff_document(upload: UploadedFile) -> str:
    if upload.size > max_upload_bytes():
        raise ValidationError(
            {
                "upload": _("The file is larger than %(mb)s MB.")
                % {"mb": max_upload_bytes() // 2**20}
            }
        )
    if upload.size == 0:
        raise ValidationError({"upload": _("The file is empty.")})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, content_type in SIGNATURES:
        if head.startswith(magic):
            return content_type
    raise ValidationError({"upload": _("Only PDF, JPEG and PNG files can be attached.")})
