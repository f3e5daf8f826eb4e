"""Extension points of the project pages.

Apps above programmes (reports/, with a project's logframe and figures) add sections to a
project's page without programmes importing them: `programmes.views.project_detail` sends
`project_sections` with the request and the project, and shows, in order, the HTML each
receiver returns ("" for none). A receiver may raise Http404 to refuse the page."""

from __future__ import annotations

from django.dispatch import Signal

project_sections = Signal()
