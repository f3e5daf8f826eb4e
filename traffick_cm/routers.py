"""Every model reads and writes on the primary ("default"); code that only aggregates for
reports and dashboards asks for the replica alias explicitly (reports/statistics.py) when
DATABASE_REPLICA_URL is set."""

from __future__ import annotations


class PrimaryRouter:
    def db_for_read(self, model, **hints):
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
