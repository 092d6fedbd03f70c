"""The copies of sent emails the embedded mode keeps in ``EMAIL_FILE_PATH`` (data/outbox/).

Django's file backend appends each message to a ``.log`` file, one file per connection,
messages separated by a line of 79 dashes. Those copies hold personal data like the
delivery ledger does, so they follow the same rules: a person whose data is cancelled
disappears from them, and they are not kept longer than the ledger keeps message bodies.
With an SMTP server configured no copy is written and there is nothing to do here.
"""

from __future__ import annotations

import email
import email.policy
import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from django.conf import settings

SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def _outbox_files() -> list[Path]:
    if settings.EMAIL_BACKEND != "django.core.mail.backends.filebased.EmailBackend":
        return []
    folder = Path(settings.EMAIL_FILE_PATH)
    return sorted(folder.glob("*.log")) if folder.is_dir() else []


def _message_text(raw: bytes) -> str:
    """The message as a reader would see it: headers and every decoded part (bodies may be
    quoted-printable or base64, where a plain search would miss an address)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    parts = [raw.decode("utf-8", "replace")]
    for part in message.walk():
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            parts.append(payload.decode("utf-8", "replace"))
    return "\n".join(parts).lower()


def _rewrite(path: Path, messages: list[bytes]) -> None:
    if not messages:
        path.unlink(missing_ok=True)
        return
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(b"".join(message + SEPARATOR for message in messages))
    os.replace(temporary, path)  # atomic: a reader sees the old file or the new one


def outbox_forget(needles: Iterable[str]) -> int:
    """Remove every stored message that mentions one of ``needles`` (an email address, a
    phone number); returns how many were removed."""
    wanted = [needle.lower() for needle in needles if needle]
    if not wanted:
        return 0
    removed = 0
    for path in _outbox_files():
        content = path.read_bytes()
        messages = [m for m in content.split(SEPARATOR) if m.strip()]
        kept = [m for m in messages if not any(n in _message_text(m) for n in wanted)]
        if len(kept) != len(messages):
            removed += len(messages) - len(kept)
            _rewrite(path, kept)
    return removed


def outbox_purge(*, before: datetime) -> int:
    """Delete the files last written before ``before``; returns how many."""
    deleted = 0
    for path in _outbox_files():
        if datetime.fromtimestamp(path.stat().st_mtime, tz=before.tzinfo) < before:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted
