"""The API's filter backend: django-filter's, with whole-number filters for integer columns.

django-filter filters an integer column with a decimal form field, so ``?year=0.5`` is
taken (and matches nothing) while the schema says the parameter is an integer; here it is
refused with 400 like any other malformed filter. Kept apart from
``santaanita.api_contract``: DRF imports the default filter backends while defining its
generic views, so this module may import nothing that imports them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django_filters import NumberFilter
from django_filters.rest_framework import DjangoFilterBackend, FilterSet
from django_filters.rest_framework.filterset import FILTER_FOR_DBFIELD_DEFAULTS


# django-filter ships no type information: mypy cannot check its classes.
class IntegerFilter(NumberFilter):  # type: ignore[misc]
    field_class = forms.IntegerField


INTEGER_COLUMNS = (
    models.AutoField,
    models.BigAutoField,
    models.SmallAutoField,
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveBigIntegerField,
    models.PositiveSmallIntegerField,
)


class ContractFilterSet(FilterSet):  # type: ignore[misc]
    FILTER_DEFAULTS: dict[type[models.Field[Any, Any]], dict[str, object]] = {
        **FILTER_FOR_DBFIELD_DEFAULTS,
        **{column: {"filter_class": IntegerFilter} for column in INTEGER_COLUMNS},
    }


class ContractFilterBackend(DjangoFilterBackend):  # type: ignore[misc]
    filterset_base = ContractFilterSet
