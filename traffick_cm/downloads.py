"""Serving a protected file: the one way every download of the app answers (case documents,
training attachments, action-plan evidence, report files, CTDC releases).

Call it only with a record the access policy let through and whose read the service or
selector audited. Files are encrypted at rest (traffick_cm/storage.py): opening one decrypts
it as it streams, and one that cannot be opened (damaged, or its key removed) raises, so the
user gets the generic error page and the log names the file by its storage name only."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.utils.cache import patch_cache_control


def private_file_response(file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """The file as an attachment under `filename` (never the name it was uploaded with,
    which may carry personal data), typed as stored, never cached by a browser or a proxy."""
    response = FileResponse(
        file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    patch_cache_control(response, no_store=True, private=True)
    response["X-Content-Type-Options"] = "nosniff"
    return response
