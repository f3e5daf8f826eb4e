"""Encryption of personal data at rest, and keyed hashes that let us search it.

Values are encrypted with MultiFernet over FIELD_ENCRYPTION_KEY (newest key first): adding a
key in front rotates; old rows stay readable; `manage.py rotate_encryption_keys` re-encrypts.
Search and duplicate keys are HMAC-SHA256 over normalised text with a key derived from
FIELD_HASH_KEY, or else from the newest encryption key. Rotation: add the new key in front,
run `rotate_encryption_keys` at once (it re-encrypts and recomputes the keys), then remove the
old key. Setting FIELD_HASH_KEY keeps search keys independent of encryption-key rotation.

Stored files (traffick_cm/storage.py) use the same key ring: each file is encrypted with
AES-256-GCM under a key derived from the newest key and a random salt of its own; a file
names the ring key it was made with (a key id that reveals nothing of the key), so it stays
readable while that key is in the ring, and `rotate_encryption_keys` re-encrypts it too.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
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


@dataclass(frozen=True)
class FileKey:
    """A key of the ring as stored files use it."""

    id: bytes  # names the ring key in a file's header; an HMAC of it, so it reveals nothing
    material: bytes

    def for_file(self, salt: bytes) -> AESGCM:
        # One key per file (random salt): chunk nonces can then simply count from zero.
        # The info label keeps these keys apart from the Fernet use of the same material.
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=salt, info=b"traffick_cm stored file v1"
        ).derive(self.material)
        return AESGCM(derived)


FILE_KEY_ID_SIZE = 8


@cache
def _file_keys(keys: tuple[str, ...]) -> tuple[FileKey, ...]:
    ring = []
    for key in keys:
        material = base64.urlsafe_b64decode(key.encode())
        key_id = hmac.new(material, b"traffick_cm stored file key id", hashlib.sha256).digest()
        ring.append(FileKey(id=key_id[:FILE_KEY_ID_SIZE], material=material))
    return tuple(ring)


def file_keys() -> tuple[FileKey, ...]:
    """The keys of stored files, newest first: the first encrypts, every one decrypts."""
    return _file_keys(tuple(settings.FIELD_ENCRYPTION_KEYS))


@cache  # a search key is derived for every hash: an import computes hundreds of thousands
def _derive(material: str) -> bytes:
    return hashlib.sha256(b"traffick_cm search keys\x00" + material.encode()).digest()


def _hash_keys() -> list[bytes]:
    """The keys of the search hashes, newest first. New hashes use the first; searches try
    them all, so that adding an encryption key in front breaks no search while
    `rotate_encryption_keys` recomputes the stored hashes."""
    if settings.FIELD_HASH_KEY:
        return [_derive(settings.FIELD_HASH_KEY)]
    return [_derive(key) for key in settings.FIELD_ENCRYPTION_KEYS]


def keyed_hash(text: str, key: bytes | None = None) -> str:
    key = key or _hash_keys()[0]
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:40]


def keyed_hashes(text: str) -> list[str]:
    """The hash of `text` under every current key (for lookups)."""
    return [keyed_hash(text, key) for key in _hash_keys()]


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
    text = " ".join(n for n in names if n)
    memo = _memo.get()
    if memo is None:
        return list(_name_tokens(text))
    if text not in memo:
        memo[text] = _name_tokens(text)
    return list(memo[text])


_memo: ContextVar[dict[str, tuple[str, ...]] | None] = ContextVar("name_tokens_memo", default=None)


@contextmanager
def names_memoised() -> Iterator[None]:
    """Normalise each distinct name once inside the block (an import computes several keys
    from the same names); the names are forgotten when it ends, never kept in the process."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def _name_tokens(text: str) -> tuple[str, ...]:
    """Memoised: an import or a load normalises the same common names again and again."""
    text = unidecode(text).lower()
    text = re.sub(r"[^a-z ]+", " ", text)
    tokens = []
    for word in text.split():
        for pattern, replacement in _VARIANTS:
            word = pattern.sub(replacement, word)
        if word:
            tokens.append(word)
    return tuple(sorted(set(tokens)))


def name_search_keys(*names: str) -> list[str]:
    """The hashes to store for a person's names (newest key)."""
    return [keyed_hash("name:" + token) for token in name_tokens(*names)]


def name_lookup_keys(text: str) -> tuple[int, list[str]]:
    """For a search: how many words must match, and their hashes under every key."""
    tokens = name_tokens(text)
    return len(tokens), [h for token in tokens for h in keyed_hashes("name:" + token)]


def full_name_key(*names: str, key: bytes | None = None) -> str | None:
    """One hash of a whole name (two words or more), in any word order: a search for a full
    name is one index probe instead of a count over every person sharing one of its words."""
    tokens = name_tokens(*names)
    if len(tokens) < 2:
        return None
    return keyed_hash("full:" + " ".join(tokens), key)


def full_name_lookup_keys(text: str) -> list[str]:
    return [k for key in _hash_keys() if (k := full_name_key(text, key=key))]


def import_key(
    *, names: list[str], date_of_birth: str, citizenships: list[str], key: bytes | None = None
) -> str | None:
    """What recognises a row of a file without external_id when the file is imported again:
    the normalised names, the birth date as written (ISO) and the citizenships."""
    tokens = name_tokens(*names)
    if not tokens:
        return None
    countries = ",".join(sorted(c.upper() for c in citizenships))
    return keyed_hash(f"import:{' '.join(tokens)}|{date_of_birth}|{countries}", key)


def import_lookup_keys(
    *, names: list[str], date_of_birth: str, citizenships: list[str]
) -> list[str]:
    return [
        k
        for key in _hash_keys()
        if (
            k := import_key(
                names=names, date_of_birth=date_of_birth, citizenships=citizenships, key=key
            )
        )
    ]


def duplicate_key(
    *, names: list[str], birth_year: int | None, citizenship: str, key: bytes | None = None
) -> str | None:
    tokens = name_tokens(*names)
    if not tokens or birth_year is None:
        return None
    return keyed_hash(f"dup:{' '.join(tokens)}|{birth_year}|{citizenship.upper()}", key)


def duplicate_lookup_keys(*, names: list[str], birth_year: int, citizenship: str) -> list[str]:
    return [
        k
        for key in _hash_keys()
        if (
            k := duplicate_key(names=names, birth_year=birth_year, citizenship=citizenship, key=key)
        )
    ]
