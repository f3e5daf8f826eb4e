from __future__ import annotations

from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from cases.models import Case
from cases.services import identity
from traffick_cm import crypto
from traffick_cm.fields import EncryptedTextField
from traffick_cm.storage import EncryptedFileSystemStorage, files_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every personal value and every stored file with the newest key of "
        "FIELD_ENCRYPTION_KEY (files of earlier versions stored unencrypted included) and "
        "recompute the search and duplicate keys. Run after adding a key; then the old key "
        "can be removed. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, **options):
        total = 0
        for model in apps.get_models():
            fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            columns = [f.column for f in fields]
            table = model._meta.db_table
            pk = model._meta.pk.column
            count = 0
            qs = model.objects.order_by("pk").values_list("pk", flat=True)
            ids = list(qs)
            for start in range(0, len(ids), options["batch_size"]):
                batch = ids[start : start + options["batch_size"]]
                with transaction.atomic(), connection.cursor() as cursor:
                    placeholders = ",".join(["%s"] * len(batch))
                    cursor.execute(
                        f"SELECT {pk}, {', '.join(columns)} FROM {table} "  # noqa: S608
                        f"WHERE {pk} IN ({placeholders}) FOR UPDATE"
                        if connection.vendor == "postgresql"
                        else f"SELECT {pk}, {', '.join(columns)} FROM {table} "  # noqa: S608
                        f"WHERE {pk} IN ({placeholders})",
                        batch,
                    )
                    rows = cursor.fetchall()
                    for row in rows:
                        values = [crypto.rotate(x) if x else x for x in row[1:]]
                        assignments = ", ".join(f"{c} = %s" for c in columns)
                        cursor.execute(
                            f"UPDATE {table} SET {assignments} WHERE {pk} = %s",  # noqa: S608
                            [*values, row[0]],
                        )
                        count += 1
            total += count
            self.stdout.write(f"{model._meta.label}: {count} rows re-encrypted")
        keys = 0
        for case in Case.objects.select_related("person").iterator(chunk_size=500):
            identity.person_keys_refresh(case.person, citizenships=case.citizenships)
            keys += 1
        self.stdout.write(
            self.style.SUCCESS(f"{total} rows re-encrypted; {keys} persons re-keyed.")
        )
        self._rotate_files()

    def _rotate_files(self) -> None:
        if not isinstance(default_storage, EncryptedFileSystemStorage):
            self.stdout.write("Stored files: the default storage does not encrypt; skipped.")
            return
        files = files_rotate(storage=default_storage)
        self.stdout.write(
            f"Stored files: {files.encrypted} encrypted (were unencrypted), {files.rotated} "
            f"re-encrypted, {files.current} already under the newest key, "
            f"{len(files.failed)} failed."
        )
        if files.failed:
            for name, reason in files.failed:
                self.stderr.write(f"{name}: {reason}")
            # Names only (random, or a report run's number); the files are left as they were.
            raise CommandError(
                f"{len(files.failed)} stored files could not be re-encrypted: keep the old "
                "key in FIELD_ENCRYPTION_KEY until they are restored or removed."
            )
