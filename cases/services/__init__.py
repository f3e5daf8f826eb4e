"""Every change to a case file: case.py (register, edit), workflow.py (status, closure,
reopening, assignment), records.py (consent, assessments, plans, services, notes, follow-ups,
documents, legal), identity.py (search and duplicate keys), transfer.py (HTCDS import and
export), summary.py (the PDF summary)."""


class ConflictError(Exception):
    """Someone else saved the record since this form was loaded."""

    def __init__(self, changed: dict[str, tuple[object, object]]) -> None:
        super().__init__("The record changed since it was loaded.")
        self.changed = changed  # field name -> (value when loaded, value now)
