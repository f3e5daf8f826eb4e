"""Every change to trainings: sessions.py (record, edit, attachments), register.py (the
participant register, by hand or from a file), transfer.py (sessions in and out of files)."""
