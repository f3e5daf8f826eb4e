"""Every change reports make: plans.py (progress on action points, indicator values entered
by hand), runs.py (report runs requested, claimed and produced exactly once), ctdc.py (the
CTDC release of a year, made once). The figures they rest on are reads, outside: statistics.py,
indicators.py, builders.py (a report's contents and its renderers), ctdc.py (the anonymised
dataset)."""
