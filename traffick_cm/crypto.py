"""Encryption of personal data at rest, and keyed hashes that let us search it.

Values are encrypted with MultiFernet over FIELD_ENCRYPTION_KEY (newest key first): adding a
key in front rotates; old rows stay readable; `manage.py rotate_encryption_keys` re-encrypts.
Search and duplicate keys are HMAC-SHA256 over normalised text with a key derived from
FIELD_HASH_KEY, or else from the newest encryption key. Rotation: add the new key in front,
run `rotate_encryption_keys` at once (it re-encrypts and recomputes the keys), then remove the
old key. Setting FIELD_HASH_KEY keeps search keys independent of encryption-key rotation.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from unidecode import unidecode


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        # Never fall back to showing the stored token; the key set is wrong.
        raise ValueError(
            "Cannot decrypt a stored value: is FIELD_ENCRYPTION_KEY complete?"
        ) from None


def rotate(token: str) -> str:
    return fernet().rotate(token.encode()).decode()


def _hash_key() -> bytes:
    base = settings.FIELD_HASH_KEY or settings.FIELD_ENCRYPTION_KEYS[0]
    return hashlib.sha256(b"traffick_cm search keys\x00" + base.encode()).digest()


def keyed_hash(text: str) -> str:
    return hmac.new(_hash_key(), text.encode(), hashlib.sha256).hexdigest()[:40]


# Common transliteration variants in the region's names (Arabic, Fulfulde, Hausa, Sango...)
# reduced to one spelling, applied after accents are stripped and letters lower-cased.
_VARIANTS = [
    (re.compile(r"\b(mohamm?ed|mohamad|muhamm?ad|mouhamm?ad|mamadou|mamadu)\b"), "mhmd"),
    (re.compile(r"\b(abdou|abdu|abdoul|abdul)"), "abd"),
    (re.compile(r"\b(aissatou|aisatou|aichatou|aissata|aisha|aicha|aissa)\b"), "aisa"),
    (re.compile(r"\b(fatoumata|fatimata|fatima|fatma|fatou)\b"), "ftm"),
    (re.compile(r"\b(ibrahima|ibrahim|brahim)\b"), "ibrhm"),
    (re.compile(r"ou"), "u"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"dj"), "j"),
    (re.compile(r"(kh|gh|q|ck|c(?=[aou]))"), "k"),
    (re.compile(r"th"), "t"),
    (re.compile(r"y"), "i"),
    (re.compile(r"(h)(?=[^aeiou]|$)"), ""),
    (re.compile(r"([a-z])\1+"), r"\1"),
]


def name_tokens(*names: str) -> list[str]:
    """Normalised tokens of a name: accents, case, punctuation, word order and common
    transliteration variants do not matter."""
    text = unidecode(" ".join(n for n in names if n)).lower()
    text = re.sub(r"[^a-z ]+", " ", text)
    tokens = []
    for word in text.split():
        for pattern, replacement in _VARIANTS:
            word = pattern.sub(replacement, word)
        if word:
            tokens.append(word)
    return sorted(set(tokens))


def name_search_keys(*names: str) -> list[str]:
    return [keyed_hash("name:" + token) for token in name_tokens(*names)]


def duplicate_key(*, names: list[str], birth_year: int | None, citizenship: str) -> str | None:
    tokens = name_tokens(*names)
    if not tokens or birth_year is None:
        return None
    return keyed_hash(f"dup:{' '.join(tokens)}|{birth_year}|{citizenship.upper()}")
