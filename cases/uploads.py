"""What may be attached to a case file: PDF, JPEG or PNG, checked by content."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile

from traffick_cm import uploads

CASE_DOCUMENT_TYPES = frozenset({uploads.PDF, uploads.JPEG, uploads.PNG})


def sniff_document(upload: UploadedFile) -> str:
    return uploads.sniff(upload, CASE_DOCUMENT_TYPES)
