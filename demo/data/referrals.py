"""Referrals of the demo cases, one in every state a referral reaches."""

from __future__ import annotations

# case: the case's external id; partner: an organisation's acronym, or None for a service
# outside the system (NAPTIP in Nigeria); state: where the loader takes the referral (draft,
# sent, sent_overdue, accepted, declined, in_progress, completed, closed_no_service,
# cancelled).
REFERRALS = [
    {
        "case": "DEMO-CF-03",
        "partner": "MAE",
        "service": "shelter",
        "urgency": "high",
        "state": "completed",
    },
    {
        "case": "DEMO-CF-03",
        "partner": "CSC Bimbo",
        "service": "medical",
        "urgency": "emergency",
        "state": "in_progress",
    },
    {
        "case": "DEMO-CF-04",
        "partner": "AJPP",
        "service": "mhpss",
        "urgency": "normal",
        "state": "accepted",
    },
    {
        "case": "DEMO-CF-05",
        "partner": "AJPP",
        "service": "livelihood",
        "urgency": "normal",
        "state": "completed",
    },
    {
        "case": "DEMO-CF-06",
        "partner": "MAE",
        "service": "shelter",
        "urgency": "high",
        "state": "declined",
    },
    {
        "case": "DEMO-CF-11",
        "partner": "MAE",
        "service": "shelter",
        "urgency": "emergency",
        "state": "sent_overdue",
    },
    {
        "case": "DEMO-CF-11",
        "partner": "CJB",
        "service": "legal",
        "urgency": "normal",
        "state": "sent",
    },
    {
        "case": "DEMO-CF-12",
        "partner": "AJPP",
        "service": "education",
        "urgency": "normal",
        "state": "closed_no_service",
    },
    {
        "case": "DEMO-CF-13",
        "partner": "CSC Bimbo",
        "service": "medical",
        "urgency": "normal",
        "state": "cancelled",
    },
    {
        "case": "DEMO-CF-10",
        "partner": "MAE",
        "service": "shelter",
        "urgency": "normal",
        "state": "draft",
    },
    {
        "case": "DEMO-CF-02",
        "partner": "MAE",
        "service": "mhpss",
        "urgency": "normal",
        "state": "sent",
    },
    {
        "case": "DEMO-GN-01",
        "partner": "AGAMR",
        "service": "shelter",
        "urgency": "high",
        "state": "accepted",
    },
    {
        "case": "DEMO-GN-03",
        "partner": "AGAMR",
        "service": "livelihood",
        "urgency": "normal",
        "state": "completed",
    },
    {
        "case": "DEMO-ML-01",
        "partner": None,
        "service": "return",
        "urgency": "high",
        "state": "accepted",
    },
]

# What every demo referral shares with the partner.
PACKET_FIELDS = ["case_number", "first_name", "sex", "age_group", "language", "needs", "contact"]
# The service outside the system that takes the referral with no partner.
EXTERNAL_ORGANISATION = {"name": "NAPTIP – Lagos zonal command", "country": "NG"}
