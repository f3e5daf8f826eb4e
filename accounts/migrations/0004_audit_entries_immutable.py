"""Audit entries can be inserted but never changed or deleted: on PostgreSQL a trigger
refuses UPDATE and DELETE on the table, whatever the application does."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION accounts_auditentry_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries cannot be changed or deleted';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_auditentry_no_update_or_delete
    BEFORE UPDATE OR DELETE ON accounts_auditentry
    FOR EACH ROW EXECUTE FUNCTION accounts_auditentry_immutable();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS accounts_auditentry_no_update_or_delete ON accounts_auditentry;
DROP FUNCTION IF EXISTS accounts_auditentry_immutable();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_user_is_demo_usersession")]

    operations = [migrations.RunPython(forward, backward)]
