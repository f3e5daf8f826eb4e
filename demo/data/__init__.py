"""The demo's records, one module per subject, as dicts with named keys: organisations (and
their directory entries and the referral pathways), programmes (donors and projects), users,
cases, referrals, trainings and plans. Names, places, organisations, projects, sessions and
the 2020 action plan come from the seed documents; the people in the cases are invented."""
