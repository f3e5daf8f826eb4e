"""The case file's pages, by subject: cases.py (list, registration, the file, edits, its
history), lookups.py (the duplicate check and the name search, both counted and audited),
records.py (consents, events, assessments, plans, services, notes, follow-ups, documents,
legal proceedings), workflow.py (status, closure, reopening, assignment, approvals) and
transfer.py (HTCDS import and export, the PDF summary). cases/urls.py names each view by its
module."""
