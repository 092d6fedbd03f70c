"""The live boards that spectators' phones poll (a cache key per stage, invalidated after a
commit that changes scores) and the family of kept festival pages."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from santaanita.page_cache import bump

# The page family (santaanita/page_cache.py) of the festival's public pages. Score sheets do
# not move it: scores show publicly only once their stage locks, and locking moves it.
FESTIVAL_PAGES = "pages:festival"


# --- Live board cache ----------------------------------------------------------------------


def board_cache_key(stage_id: int, language: str) -> str:
    return f"festival:board:{stage_id}:{language}"


def board_invalidate(stage_id: int) -> None:
    """Drop a stage's cached board in every language; the next poll renders it again."""
    cache.delete_many([board_cache_key(stage_id, code) for code, _name in settings.LANGUAGES])
    bump(FESTIVAL_PAGES)  # the board's page holds the board too


def board_invalidate_on_commit(stage_id: int) -> None:
    transaction.on_commit(lambda: board_invalidate(stage_id))
