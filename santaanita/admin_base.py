"""Admin bases shared by the apps."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias, TypeVar

from django import forms
from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from santaanita.page_cache import pages_changed

_ModelT = TypeVar("_ModelT", bound=Model)

# The formsets of a change page's inlines, which the admin saves after the object.
InlineFormSets: TypeAlias = Sequence[BaseInlineFormSet[Model, Model, forms.ModelForm[Model]]]


class ReadOnlyAdmin(admin.ModelAdmin[_ModelT]):
    """For records that only their services write (one write path): a save or a deletion
    here would skip what the service keeps (history, version, locks, audit rows), so the
    admin shows them and nothing more, superusers included."""

    def has_add_permission(self, request: HttpRequest, obj: _ModelT | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: _ModelT | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: _ModelT | None = None) -> bool:
        return False


class ChangesPagesAdmin(admin.ModelAdmin[_ModelT]):
    """For records the admin edits directly (no service of their own) that public pages
    show: every save or deletion here moves ``page_families`` on after the commit, as the
    services do (santaanita/page_cache.py), so the next visitor sees the change."""

    page_families: tuple[str, ...] = ()

    def save_model(
        self, request: HttpRequest, obj: _ModelT, form: forms.ModelForm[_ModelT], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        pages_changed(*self.page_families)

    def save_related(
        self,
        request: HttpRequest,
        form: forms.ModelForm[_ModelT],
        formsets: InlineFormSets,
        change: bool,
    ) -> None:
        super().save_related(request, form, formsets, change)
        pages_changed(*self.page_families)  # the inlines

    def delete_model(self, request: HttpRequest, obj: _ModelT) -> None:
        super().delete_model(request, obj)
        pages_changed(*self.page_families)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[_ModelT]) -> None:
        super().delete_queryset(request, queryset)
        pages_changed(*self.page_families)
