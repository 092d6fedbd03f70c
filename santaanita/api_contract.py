"""The contract every app's REST API keeps, in one place.

- Lists come in pages of at most ``MAX_PAGE_SIZE`` rows (``santaanita.pagination``): no
  request, however it is filtered, pulls a whole table.
- A request the API cannot use is a 4xx with a JSON body, never a 5xx: Django's
  ``ValidationError`` from a service becomes a 400 with its messages, a 400 body is always an
  object (field name → messages, ``non_field_errors`` for the request as a whole), and an
  address under ``/api/`` that matches no route answers JSON too (``not_found``).
- The schema says so: ``ContractAutoSchema`` documents on each operation the error codes
  it can answer (400, 401, 403, 404), so clients and the contract tests in CI
  (``.ci/api-contract``) can rely on the list.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Generic, TypedDict, TypeVar, Unpack

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ComponentRegistry, ResolvedComponent
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from santaanita.dates import OUT_OF_RANGE_MESSAGE

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
    from rest_framework.fields import _DefaultInitial
    from rest_framework.validators import Validator

logger = logging.getLogger(__name__)

_ValueT = TypeVar("_ValueT")


class FieldOptions(TypedDict, Generic[_ValueT], total=False):
    """The options every DRF field takes (a ModelSerializer builds its fields with them),
    for a field of ``_ValueT`` values."""

    read_only: bool
    write_only: bool
    required: bool | None
    default: _DefaultInitial[_ValueT]
    initial: _DefaultInitial[_ValueT]
    source: str | None
    label: StrOrPromise | None
    help_text: StrOrPromise | None
    style: dict[str, object] | None
    error_messages: dict[str, StrOrPromise] | None
    validators: Sequence[Validator[_ValueT]] | None
    allow_null: bool


class CalendarDateTimeField(serializers.DateTimeField):
    """A date and time within the platform's calendar (``santaanita.dates``, whose rule every
    date field carries).

    DRF turns a Lima time into UTC while parsing, which overflows for the last hours of
    year 9999; that is caught here and answered like any other date out of range.
    """

    def __init__(self, **kwargs: Unpack[FieldOptions[datetime.datetime]]) -> None:
        kwargs.setdefault("help_text", _("Between the years 1900 and 2100."))
        super().__init__(**kwargs)

    def enforce_timezone(self, value: datetime.datetime) -> datetime.datetime:
        try:
            return super().enforce_timezone(value)
        except OverflowError as exc:
            raise ValidationError(OUT_OF_RANGE_MESSAGE) from exc


class CalendarDateField(serializers.DateField):
    """A date within the platform's calendar (``santaanita.dates``)."""

    def __init__(self, **kwargs: Unpack[FieldOptions[datetime.date]]) -> None:
        kwargs.setdefault("help_text", _("Between the years 1900 and 2100."))
        super().__init__(**kwargs)


def exception_handler(exc: Exception, context: dict[str, object]) -> Response | None:
    """DRF's handler, plus: a service's ``ValidationError`` is a 400 with its messages; a
    ``ValueError`` or ``OverflowError`` that escaped parsing is a 400 too (logged with its
    traceback: the view should have validated that input, and is to be fixed); and a 400
    body is always an object."""
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(serializers.as_serializer_error(exc))
    elif isinstance(exc, ValueError | OverflowError):
        logger.warning("Unvalidated input reached %s", context.get("view"), exc_info=exc)
        exc = ValidationError({"detail": _("A value of the request is malformed or out of range.")})
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        response.data = {api_settings.NON_FIELD_ERRORS_KEY: response.data}
    return response


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: an address under ``/api/`` (or Open311's ``/open311/``) that matches
    no route answers JSON like the API's own 404s (e.g. an id with a dot in it); every other
    address gets the page."""
    if request.path.startswith(("/api/", "/open311/")):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return page_not_found(request, exception)


ERROR_SCHEMA: dict[str, object] = {
    "type": "object",
    "description": "What went wrong, in the user's language.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR_SCHEMA: dict[str, object] = {
    "type": "object",
    "description": "The messages per field sent (or query parameter); "
    f"'{api_settings.NON_FIELD_ERRORS_KEY}' or 'detail' for the request as a whole.",
    "additionalProperties": {},
}

ERROR_DESCRIPTIONS = {
    "400": "The request's body or query parameters are not valid; nothing was changed.",
    "401": "Credentials are missing where required, or the token is not valid.",
    "403": "Signed in, but this role (or this district) may not do this.",
    "404": "No such object, or not one the caller may see; on a list, no such page.",
}


def error_response(description: str) -> OpenApiResponse:
    """For ``@extend_schema(responses=...)``: an error answered with ``detail`` (and maybe
    more), for the codes a view answers beyond the ones ``ContractAutoSchema`` adds."""
    return OpenApiResponse(response=ERROR_SCHEMA, description=description)


class ContractAutoSchema(AutoSchema):
    """drf-spectacular's schema, with the error responses each operation can give."""

    def get_operation(
        self,
        path: str,
        path_regex: str,
        path_prefix: str,
        method: str,
        registry: ComponentRegistry,
    ) -> dict[str, object] | None:
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        codes = self._error_codes(
            has_body="requestBody" in operation, parameters=operation.get("parameters", [])
        )
        for code in codes:
            if code not in responses:
                schema = VALIDATION_ERROR_SCHEMA if code == "400" else ERROR_SCHEMA
                name = "ValidationError" if code == "400" else "Error"
                # drf-spectacular's plumbing is untyped; these are its documented arguments.
                component = ResolvedComponent(  # type: ignore[no-untyped-call]
                    name=name, type=ResolvedComponent.SCHEMA, schema=schema, object=name
                )
                self.registry.register_on_missing(component)
                responses[code] = {
                    "description": ERROR_DESCRIPTIONS[code],
                    "content": {
                        media_type: {"schema": component.ref}
                        for media_type in self.map_renderers("media_type")
                    },
                }
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error_codes(
        self, *, has_body: bool, parameters: Sequence[Mapping[str, object]]
    ) -> list[str]:
        codes = []
        if has_body or any(p["in"] == "query" for p in parameters):
            codes.append("400")
        if self.view.authentication_classes:
            # A token sent is checked, even on a public operation.
            codes.append("401")
        open_classes: tuple[type, ...] = (AllowAny,)
        if self.method in SAFE_METHODS:
            open_classes = (AllowAny, IsAuthenticatedOrReadOnly)
        # A composed permission (A | B) counts as restricting.
        permissions = self.view.permission_classes
        if not all(isinstance(p, type) and issubclass(p, open_classes) for p in permissions):
            codes.append("403")
        paginator = self._get_paginator()  # type: ignore[no-untyped-call]
        paginated_list = self._is_list_view() and paginator is not None
        if paginated_list or any(p["in"] == "path" for p in parameters):
            codes.append("404")
        return codes
