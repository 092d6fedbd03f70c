"""Admin bases shared by the apps."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """For records that only their services write (one write path): a save or a deletion
    here would skip what the service keeps (history, version, locks, audit rows), so the
    admin shows them and nothing more, superusers included.

    Typed for any model: it only answers the permission questions, so its subclasses need
    no type argument."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
