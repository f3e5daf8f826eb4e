"""Passwords: hashed with Argon2; at least 12 characters; common passwords refused; no
composition rules (a long, all-lowercase passphrase is fine).

The test settings hash with MD5 for speed, so the hasher is read from the real settings in
a fresh Python."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import AuditEntry, User
from accounts.roles import Role
from tests import factories

PASSPHRASE = "riverlantern"  # 12 characters, lowercase letters only


@pytest.fixture(autouse=True)
def english_by_default(settings):
    # The assertions read the English wording; emails and pages without an Accept-Language
    # use LANGUAGE_CODE (French in production).
    settings.LANGUAGE_CODE = "en"


REAL_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
from django.contrib.auth.hashers import make_password

print(json.dumps({
    "hashers": settings.PASSWORD_HASHERS,
    "validators": settings.AUTH_PASSWORD_VALIDATORS,
    "hash": make_password("a passphrase to hash"),
}))
"""


@pytest.fixture(scope="module")
def real_settings() -> dict:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "traffick_cm.settings",
        "DJANGO_READ_DOT_ENV_FILE": "0",
        "DEBUG": "1",
    }
    result = subprocess.run(
        [sys.executable, "-c", REAL_SETTINGS],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_argon2_is_the_first_password_hasher_of_the_real_settings(real_settings):
    assert real_settings["hashers"][0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    # The library is installed and used: a new hash is an Argon2 hash.
    assert real_settings["hash"].startswith("argon2$argon2id$")


def test_real_settings_require_twelve_characters_and_refuse_common_passwords(real_settings):
    validators = {v["NAME"].rsplit(".", 1)[-1]: v for v in real_settings["validators"]}

    assert validators["MinimumLengthValidator"]["OPTIONS"]["min_length"] >= 12
    assert "CommonPasswordValidator" in validators
    # No composition rules: nothing beyond length, common passwords and similarity.
    assert set(validators) <= {
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "UserAttributeSimilarityValidator",
    }


def test_password_of_eleven_characters_is_refused():
    with pytest.raises(ValidationError) as refused:
        validate_password(PASSPHRASE[:11])

    assert any(e.code == "password_too_short" for e in refused.value.error_list)


def test_password_of_twelve_characters_is_accepted():
    validate_password(PASSPHRASE)


@pytest.mark.parametrize("common", ["password1234", "qwertyuiop12"])
def test_common_password_of_twelve_characters_is_refused(common):
    with pytest.raises(ValidationError) as refused:
        validate_password(common)

    assert [e.code for e in refused.value.error_list] == ["password_too_common"]


def _invited(client, users) -> str:
    """An account created by an administrator, and the invitation link they were shown: the
    owner chooses the password there (an administrator never types one)."""
    client.force_login(users[Role.ADMIN])
    client.post(
        reverse("accounts:user_create"),
        {"username": "fatou", "first_name": "Fatou", "last_name": "Camara", "roles": ["mne"]},
    )
    detail = client.get(
        reverse("accounts:user_detail", kwargs={"pk": User.objects.get(username="fatou").pk})
    )
    client.logout()
    return detail.context["invitation_link"]["url"]


def test_invited_person_chooses_an_all_lowercase_passphrase(client, users):
    link = _invited(client, users)

    response = client.post(link, {"new_password1": PASSPHRASE, "new_password2": PASSPHRASE})

    assert response.status_code == 200
    assert User.objects.get(username="fatou").check_password(PASSPHRASE)


def test_invited_person_cannot_choose_a_short_password(client, users):
    link = _invited(client, users)

    response = client.post(link, {"new_password1": "Sh0rt!pass", "new_password2": "Sh0rt!pass"})

    assert response.status_code == 200
    codes = [e.code for e in response.context["form"].errors.as_data()["new_password2"]]
    assert codes == ["password_too_short"]
    assert not User.objects.get(username="fatou").has_usable_password()


# Changing and resetting a password


def test_changing_the_password_needs_the_current_one(client, users):
    user = users[Role.CASEWORKER]
    client.force_login(user)

    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "not-the-password",
            "new_password1": "a-brand-new-passphrase-7",
            "new_password2": "a-brand-new-passphrase-7",
        },
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert not user.check_password("a-brand-new-passphrase-7")


def test_a_changed_password_is_audited_and_the_owner_is_told(
    client, users, mailoutbox, django_capture_on_commit_callbacks
):
    user = users[Role.CASEWORKER]
    User.objects.filter(pk=user.pk).update(email="caseworker@example.org")
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:password_change"),
            {
                "old_password": factories.PASSWORD,
                "new_password1": "a-brand-new-passphrase-7",
                "new_password2": "a-brand-new-passphrase-7",
            },
        )

    entry = AuditEntry.objects.get(action="accounts.user.password_changed")
    assert entry.actor == user
    assert "passphrase" not in json.dumps(entry.data)
    assert [m.to for m in mailoutbox] == [["caseworker@example.org"]]
    assert "was changed" in mailoutbox[0].body
