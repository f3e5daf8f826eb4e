"""Extension points of the case file, for the apps above cases.

`consent_ended` is sent by the consent services (cases/services/records.py), inside their
transaction, when a case no longer has a current consent in a sharing scope (after a
withdrawal or a refusal). Receivers end what that consent allowed and return the records
they changed: referrals/ erases the packets it shared (referrals/apps.py connects it). The
rule lives in the receiving app's service; the signal is only how cases, which sits below
referrals, reaches it (README, Architecture).

`cases_created` is sent by the batched import for the cases it wrote without `save()`."""

from __future__ import annotations

from django.dispatch import Signal

# Sent with case= and actor=; each receiver returns a list of the records it changed.
consent_ended = Signal()

# Sent with identified= (a set of (country code, date of identification)) by the writes that
# create cases without saving them one by one (the batched import,
# cases/services/bulk_import.py), once after their last batch, inside their transaction:
# where and when the cases created were identified, which is what the apps above count them
# by (reports recounts those months).
cases_created = Signal()
