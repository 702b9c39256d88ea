"""An uploaded data file held between its preview and its application.

The bytes are kept in a temporary folder under their SHA-256 digest, and the session
keeps the digest and the file's name; the apply step reads the bytes back and checks
the digest again, so what is applied is exactly what was previewed (and a file changed
or swapped on the disk in between is refused). Files older than a day are cleared.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SESSION_KEY = "datafile_upload"
FOLDER = Path(tempfile.gettempdir()) / "icc-portal-datafiles"
KEPT_SECONDS = 24 * 3600


@dataclass(frozen=True)
class HeldFile:
    name: str
    digest: str
    content: bytes


def digest_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def hold(session, name: str, content: bytes) -> HeldFile:
    """Keep ``content`` for this session's apply step; returns it with its digest."""
    FOLDER.mkdir(mode=0o700, exist_ok=True)
    now = time.time()
    for old in FOLDER.glob("*.yaml"):
        if now - old.stat().st_mtime > KEPT_SECONDS:
            old.unlink(missing_ok=True)
    digest = digest_of(content)
    (FOLDER / f"{digest}.yaml").write_bytes(content)
    session[SESSION_KEY] = {"name": name, "digest": digest}
    return HeldFile(name, digest, content)


def held(session, digest: str) -> HeldFile | None:
    """The file this session previewed with ``digest``, its bytes checked; else None."""
    kept = session.get(SESSION_KEY) or {}
    if not digest or kept.get("digest") != digest or len(digest) != 64:
        return None
    try:
        content = (FOLDER / f"{digest}.yaml").read_bytes()
    except OSError:
        return None
    if digest_of(content) != digest:
        return None
    return HeldFile(kept.get("name") or "upload.yaml", digest, content)


def release(session, digest: str) -> None:
    session.pop(SESSION_KEY, None)
    (FOLDER / f"{digest}.yaml").unlink(missing_ok=True)
