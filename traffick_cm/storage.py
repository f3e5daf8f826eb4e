"""Private files (case documents, training attachments, action-plan evidence, report files)
encrypted at rest with the key ring of the personal fields (traffick_cm/crypto.py).

The default storage of the app: every FileField is covered without code of its own. A file
is encrypted as it is written and decrypted only when it is opened, which only the views
that apply the access policy do; the bytes under MEDIA_ROOT are never the document.

Format: a header (magic, version, chunk size, id of the ring key, random salt), then the
content in chunks of 64 KiB, each sealed with AES-256-GCM under a key derived from the ring
key and the salt. The header is authenticated with every chunk; a chunk's nonce is its
number and whether it is the last, so chunks cannot be reordered, dropped or cut off without
the file failing to open. Chunks rather than one Fernet token: memory stays at a chunk
whatever the file's size (measured with tracemalloc for a 10 MB file: 0.3 MB to store it,
0.2 MB to open, authenticate and stream it, 21 ms; MultiFernet holds the file, its
ciphertext and their base64 copies at once: 70 MB to encrypt, 31 MB to decrypt), and a
download can seek (FileResponse takes the length from it).

Files of earlier versions are plaintext: they have no magic (uploads are typed by their
content as PDF, images or Office files, which never start with it) and are read as they are
until `manage.py rotate_encryption_keys` encrypts them with the rest.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import secrets
import stat
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage

from traffick_cm import crypto

logger = logging.getLogger(__name__)

MAGIC = b"\x89TCM\r\n\x1a\n"  # as PNG's: not text, and damaged by a text-mode transfer
VERSION = 1
CHUNK_SIZE = 64 * 1024
TAG_SIZE = 16
SALT_SIZE = 16
# magic, version, chunk size, key id, salt
_HEADER = struct.Struct(f">8sBI{crypto.FILE_KEY_ID_SIZE}s{SALT_SIZE}s")
HEADER_SIZE = _HEADER.size
# Bounds a chunk read from a header, so that a damaged one cannot ask for gigabytes.
_CHUNK_LIMITS = (1024, 16 * 1024 * 1024)
# Rotation writes next to the file under this suffix, then renames.
TEMPORARY_SUFFIX = ".rotating"
_STALE_TEMPORARY_SECONDS = 3600


class StoredFileError(Exception):
    """A stored file cannot be read: the key it was encrypted with is no longer in
    FIELD_ENCRYPTION_KEY, or the file was damaged or altered. The message names the file
    by its storage name only (random, or a report run's number): no personal data."""


@dataclass(frozen=True)
class _Header:
    raw: bytes
    chunk_size: int
    key_id: bytes
    salt: bytes


def _read_full(stream: IO, size: int) -> bytes:
    """`size` bytes, fewer only at the end of the stream (some streams return short reads)."""
    parts = []
    wanted = size
    while wanted:
        part = stream.read(wanted)
        if not part:
            break
        if isinstance(part, str):  # a ContentFile made from text
            part = part.encode()
        parts.append(part)
        wanted -= len(part)
    return b"".join(parts)


def _parse_header(head: bytes, name: str) -> _Header | None:
    """The header of an encrypted file, or None for a plaintext file of an earlier version."""
    if not head.startswith(MAGIC):
        return None
    if len(head) < HEADER_SIZE:
        raise StoredFileError(f"Stored file {name} is damaged: its header is cut off.")
    _magic, version, chunk_size, key_id, salt = _HEADER.unpack(head[:HEADER_SIZE])
    if version != VERSION or not _CHUNK_LIMITS[0] <= chunk_size <= _CHUNK_LIMITS[1]:
        raise StoredFileError(f"Stored file {name} has an unknown format (version {version}).")
    return _Header(raw=head[:HEADER_SIZE], chunk_size=chunk_size, key_id=key_id, salt=salt)


def _plain_size(header: _Header, encrypted_size: int, name: str) -> int:
    """The plaintext length, from the length on disk: every chunk but the last is full."""
    body = encrypted_size - HEADER_SIZE
    step = header.chunk_size + TAG_SIZE
    count = max(1, -(-body // step))
    if body - (count - 1) * step < TAG_SIZE:
        raise StoredFileError(f"Stored file {name} is damaged: its length is impossible.")
    return body - count * TAG_SIZE


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def _key_for(header: _Header, name: str) -> AESGCM:
    for key in crypto.file_keys():
        if key.id == header.key_id:
            return key.for_file(header.salt)
    raise StoredFileError(
        f"Stored file {name} was encrypted with a key that is not in FIELD_ENCRYPTION_KEY "
        "(was a key removed before rotate_encryption_keys had run?)."
    )


def encrypted_chunks(source: IO, key: crypto.FileKey) -> Iterator[bytes]:
    """The header, then the sealed chunks of `source` (read from where it stands)."""
    salt = secrets.token_bytes(SALT_SIZE)
    header = _HEADER.pack(MAGIC, VERSION, CHUNK_SIZE, key.id, salt)
    aead = key.for_file(salt)
    yield header
    index = 0
    block = _read_full(source, CHUNK_SIZE)
    while True:
        # Read one chunk ahead: the last chunk is sealed as such, so that a file cut at a
        # chunk boundary does not open.
        following = _read_full(source, CHUNK_SIZE) if len(block) == CHUNK_SIZE else b""
        last = not following
        yield aead.encrypt(_nonce(index, last), block, header)
        if last:
            return
        block = following
        index += 1


class DecryptingReader(io.RawIOBase):
    """The plaintext of an encrypted file, read and seekable one chunk at a time."""

    def __init__(self, raw: IO[bytes], header: _Header, name: str) -> None:
        super().__init__()
        self._raw = raw
        self._header = header
        self._name = name
        self._aead = _key_for(header, name)
        self.size = _plain_size(header, os.fstat(raw.fileno()).st_size, name)
        self._count = max(1, -(-self.size // header.chunk_size))
        self._position = 0
        self._cached: tuple[int, bytes] = (-1, b"")

    def verify(self) -> None:
        """Authenticate every chunk now (a few milliseconds for 10 MB), so that a damaged
        file fails before a download has started rather than in the middle of it."""
        for index in range(self._count):
            self._chunk(index)

    def _chunk(self, index: int) -> bytes:
        if self._cached[0] != index:
            step = self._header.chunk_size + TAG_SIZE
            self._raw.seek(HEADER_SIZE + index * step)
            sealed = _read_full(self._raw, step)
            try:
                plain = self._aead.decrypt(
                    _nonce(index, index == self._count - 1), sealed, self._header.raw
                )
            except InvalidTag:
                raise StoredFileError(
                    f"Stored file {self._name} is damaged or was altered: it does not authenticate."
                ) from None
            self._cached = (index, plain)
        return self._cached[1]

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        bases = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self.size}
        if whence not in bases:
            raise ValueError(f"invalid whence ({whence})")
        base = bases[whence]
        if base + offset < 0:
            raise ValueError("negative seek position")
        self._position = base + offset
        return self._position

    def readinto(self, buffer) -> int:
        target = memoryview(buffer).cast("B")
        written = 0
        while written < len(target) and self._position < self.size:
            index, offset = divmod(self._position, self._header.chunk_size)
            plain = self._chunk(index)
            count = min(len(target) - written, len(plain) - offset)
            target[written : written + count] = plain[offset : offset + count]
            written += count
            self._position += count
        return written

    def readall(self) -> bytes:
        return self.read(max(self.size - self._position, 0))

    def close(self) -> None:
        self._raw.close()
        super().close()


class _EncryptingFile(File):
    """What FileSystemStorage._save writes: the content, encrypted. It has no
    temporary_file_path, so a large upload's temporary file is never moved into place as
    it is (plaintext)."""

    def __init__(self, content: File, key: crypto.FileKey) -> None:
        super().__init__(None, getattr(content, "name", None))
        self._content = content
        self._key = key

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        with contextlib.suppress(AttributeError, io.UnsupportedOperation):
            self._content.seek(0)
        yield from encrypted_chunks(self._content, self._key)


class StoredFile(File):
    """A private file as the storage opens it: decrypted as it is read. Reopening goes
    through the storage again, never to the path on disk (which holds ciphertext)."""

    def __init__(self, storage: EncryptedFileSystemStorage, name: str) -> None:
        self._storage = storage
        super().__init__(storage.reader(name), name)

    def open(self, mode: str | None = None) -> StoredFile:
        if mode not in (None, "rb"):
            raise ValueError("Stored files are opened for reading as bytes ('rb').")
        if self.closed:
            self.file = self._storage.reader(self.name)
        else:
            self.seek(0)
        return self


class EncryptedFileSystemStorage(FileSystemStorage):
    """FileSystemStorage that encrypts what it writes and decrypts what it opens."""

    def _save(self, name: str, content: File) -> str:
        return super()._save(name, _EncryptingFile(content, crypto.file_keys()[0]))

    def _open(self, name: str, mode: str = "rb") -> StoredFile:
        # Files are written only through save(): writing in place would bypass encryption.
        if mode != "rb":
            raise ValueError("Stored files are opened for reading as bytes ('rb').")
        return StoredFile(self, name)

    def reader(self, name: str) -> IO[bytes]:
        """The plaintext stream of a stored file; StoredFileError if it cannot be read."""
        raw = open(self.path(name), "rb")  # noqa: SIM115 (closed by the reader's owner)
        try:
            header = _parse_header(raw.read(HEADER_SIZE), name)
            raw.seek(0)
            if header is None:
                logger.warning(
                    "Stored file %s is not encrypted (from an earlier version): "
                    "run manage.py rotate_encryption_keys.",
                    name,
                )
                return raw
            reader = DecryptingReader(raw, header, name)
            reader.verify()
            reader.seek(0)
        except BaseException:
            raw.close()
            raise
        return reader

    def size(self, name: str) -> int:
        """The size of the document, not of its ciphertext."""
        with open(self.path(name), "rb") as raw:
            header = _parse_header(raw.read(HEADER_SIZE), name)
            encrypted_size = os.fstat(raw.fileno()).st_size
        return encrypted_size if header is None else _plain_size(header, encrypted_size, name)

    def rotate(self, name: str) -> str:
        """Encrypt a stored file with the newest key unless it already is: "encrypted" (it
        was plaintext), "rotated" (it was under an older key) or "current". The file is
        replaced atomically: written to a temporary name, synced, renamed over it."""
        newest = crypto.file_keys()[0]
        path = self.path(name)
        with open(path, "rb") as raw:
            header = _parse_header(raw.read(HEADER_SIZE), name)
            raw.seek(0)
            if header is not None and header.key_id == newest.id:
                return "current"
            source: IO[bytes] = raw
            if header is not None:
                source = DecryptingReader(raw, header, name)
                source.verify()
                source.seek(0)
            _replace(path, encrypted_chunks(source, newest))
        return "encrypted" if header is None else "rotated"


def _replace(path: str, pieces: Iterator[bytes]) -> None:
    directory, base = os.path.split(path)
    temporary = os.path.join(directory, f".{base}.{secrets.token_hex(8)}{TEMPORARY_SUFFIX}")
    before = os.stat(path)
    fd = os.open(
        temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600
    )
    try:
        with os.fdopen(fd, "wb") as out:
            for piece in pieces:
                out.write(piece)
            out.flush()
            os.fsync(out.fileno())
        # Keep the file's owner and mode: rotation may run as another user (root in a
        # container) than the web process that must read the file afterwards.
        with contextlib.suppress(PermissionError):
            os.chown(temporary, before.st_uid, before.st_gid)
        os.chmod(temporary, stat.S_IMODE(before.st_mode))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    # The rename itself must reach the disk, or a crash could bring back the old file.
    directory_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(directory_fd)
    finally:
        os.close(directory_fd)


@dataclass
class FilesRotation:
    encrypted: int = 0  # plaintext files of an earlier version, now encrypted
    rotated: int = 0  # files under an older key, now under the newest
    current: int = 0  # already under the newest key: left alone
    failed: list[tuple[str, str]] = field(default_factory=list)  # (storage name, reason)


def files_rotate(*, storage: EncryptedFileSystemStorage) -> FilesRotation:
    """Bring every file under the storage's root to the newest key, one file at a time; a
    file that cannot be read is reported and left as it is. Safe to run again."""
    result = FilesRotation()
    root = storage.location
    for directory, folders, files in os.walk(root):
        folders.sort()
        for filename in sorted(files):
            path = os.path.join(directory, filename)
            if filename.startswith(".") and filename.endswith(TEMPORARY_SUFFIX):
                # Left by a rotation that crashed: never referenced, ciphertext only.
                with contextlib.suppress(FileNotFoundError):
                    if time.time() - os.stat(path).st_mtime > _STALE_TEMPORARY_SECONDS:
                        os.unlink(path)
                continue
            name = os.path.relpath(path, root).replace(os.sep, "/")
            try:
                outcome = storage.rotate(name)
            except (StoredFileError, OSError) as error:
                result.failed.append((name, str(error)))
                continue
            setattr(result, outcome, getattr(result, outcome) + 1)
    return result
