"""Load the demo data (demo/data/) through the apps' services, so that history, audit entries,
case numbers and search keys are those of real work. Run in this order, each step idempotent:
reference (organisations, donors, projects, one user per role), cases, referrals (with the
directory and the pathways), trainings, plans."""
