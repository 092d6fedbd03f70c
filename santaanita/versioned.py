"""Edits made from a form that read a row at some version (optimistic concurrency).

A row that people edit from forms carries an integer ``version``, bumped by every saved
change. The form sends back the version it was read at; the service locks the row
(``select_for_update``, inside its transaction) while it compares, so of two people saving
the same row at once the second is refused with ``StaleEdit`` (carrying the row as it is
now) instead of silently overwriting the first. The view then shows the current values
beside what was typed; sent again, knowingly, with the current version, the edit replaces
the other change.
"""

from __future__ import annotations

from typing import Generic, Protocol, TypeVar, cast

from django.db import models


class Versioned(Protocol):
    version: int


M = TypeVar("M", bound=models.Model)


class StaleEdit(Exception, Generic[M]):
    """The row changed after the form was read; saving would overwrite that change.

    ``current`` is the row as it is now, so the form can keep what was typed and carry the
    current version."""

    def __init__(self, current: M) -> None:
        super().__init__(str(current))
        self.current = current


def lock_at_version(rows: models.QuerySet[M], *, version: int | None) -> M:
    """The one row of ``rows``, locked until the end of the caller's transaction; raises
    ``StaleEdit`` when its version is not ``version`` (``None``: the caller read no version,
    as when it creates the row). The caller bumps the version when it saves a change.

    Raises the model's ``DoesNotExist`` when ``rows`` is empty.
    """
    current = rows.select_for_update().get()
    if version is not None and cast(Versioned, current).version != version:
        raise StaleEdit(current)
    return current
