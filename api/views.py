"""Answers of the API outside its resources."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from api.problems import CONTENT_TYPE


@csrf_exempt
def not_found(request: HttpRequest) -> HttpResponse:
    """No resource at this address: 404 as problem details, whatever the method."""
    body = {"type": "about:blank", "title": "Not Found", "status": 404, "detail": _("Not found.")}
    return HttpResponse(json.dumps(body), status=404, content_type=CONTENT_TYPE)
