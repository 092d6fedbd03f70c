"""The options of ``Model.save``, for a model whose ``save`` normalises its own fields and
passes the options on untouched (no domain)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypedDict

from django.db.models.base import ModelBase


class SaveOptions(TypedDict, total=False):
    force_insert: bool | tuple[ModelBase, ...]
    force_update: bool
    using: str | None
    update_fields: Iterable[str] | None
