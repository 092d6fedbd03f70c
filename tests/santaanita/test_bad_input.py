"""Hostile input: every form and serializer refuses what no record may hold, with a field
error in Spanish; acceptable oddities (emoji, right-to-left scripts, combining accents,
quotes) are stored as typed and rendered escaped. Per-app cases: tests/<app>/…hostile….py."""

from __future__ import annotations

import importlib
import inspect

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation
from rest_framework import serializers

from interventions.forms import AllocationForm
from interventions.models import Pledge
from mapping.forms import PublicSpaceForm
from platform_app.meeting_forms import MeetingForm
from platform_app.models import DataRequest, Organization
from platform_app.permissions import Role
from santaanita.dates import validate_in_calendar
from santaanita.text import ControlCharactersValidator
from tests.factories import UserFactory
from tests.platform_app.test_registry_forms import valid_post

FORM_MODULES = (
    "platform_app.forms",
    "platform_app.meeting_forms",
    "mapping.forms",
    "festival.forms",
    "interventions.forms",
)
API_MODULES = ("platform_app.api", "mapping.api", "festival.api", "interventions.api")
CONTROL = "Quite los caracteres de control o invisibles de este texto."
YEAR = "Ingrese una fecha entre los años 1900 y 2100."


def _classes(modules: tuple[str, ...], base: type) -> list[type]:
    found = []
    for name in modules:
        module = importlib.import_module(name)
        found += [
            cls
            for cls in vars(module).values()
            if inspect.isclass(cls) and issubclass(cls, base) and cls.__module__ == name
        ]
    return found


FORMS = _classes(FORM_MODULES, forms.BaseForm)
SERIALIZERS = _classes(API_MODULES, serializers.Serializer)


def test_every_form_of_every_app_is_covered():
    assert len(FORMS) > 60
    assert len(SERIALIZERS) > 30


@pytest.mark.parametrize("form_class", FORMS, ids=lambda cls: f"{cls.__module__}.{cls.__name__}")
def test_every_text_and_date_field_of_every_form_checks_its_input(form_class):
    for name, field in form_class.base_fields.items():
        if isinstance(field, forms.CharField):
            assert any(isinstance(v, ControlCharactersValidator) for v in field.validators), name
        if isinstance(field, (forms.DateField, forms.DateTimeField)):
            assert validate_in_calendar in field.validators, name


@pytest.mark.django_db
@pytest.mark.parametrize(
    "serializer_class", SERIALIZERS, ids=lambda cls: f"{cls.__module__}.{cls.__name__}"
)
def test_every_text_and_date_field_of_every_serializer_checks_its_input(serializer_class):
    for name, field in serializer_class().fields.items():
        if field.read_only:
            continue
        if isinstance(field, serializers.CharField):
            assert any(isinstance(v, ControlCharactersValidator) for v in field.validators), name
        if isinstance(field, (serializers.DateField, serializers.DateTimeField)):
            assert validate_in_calendar in field.validators, name


# --- The public registration form, end to end ------------------------------------------

REGISTER = reverse("platform_app:organization-register")
LONG = "A" * 100_000

REFUSED = [
    ("name", LONG, "menos de 200 caracteres"),
    ("name", "Club\x00 Nulo", CONTROL),
    ("name", "Club\x1b[2J", CONTROL),
    ("name", "Club \ufeff\ufffe", CONTROL),
    ("name", "<script>alert(1)</script>", "sin etiquetas HTML"),
    ("activities", '<img src=x onerror="alert(1)">', "sin etiquetas HTML"),
    ("activities", LONG, "menos de 2000 caracteres"),
    ("contact_name", "Ana\x07", CONTROL),
    ("contact_phone", "=1+1", "Usa solo dígitos"),
    ("contact_phone", "9" * 100, "menos de 20 caracteres"),
    ("contact_email", "ana@", "correo electrónico válida"),
    ("contact_email", "a" * 300 + "@example.org", "menos de 254 caracteres"),
    ("members_count", "12abc", "número entero"),
    ("members_count", "1e309", "número entero"),
    ("members_count", "-5", "mayor o igual a 0"),
    ("members_count", "9" * 30, "menor o igual a 100000"),
    ("year_founded", "NaN", "número entero"),
    ("year_founded", "9999", "menor o igual a 2100"),
    ("typology", "'; DROP TABLE organization; --", "Escoja una opción válida"),
    ("sector", "1.5", "Escoja una opción válida"),
    ("social_links", "javascript:alert(1)", "no es una dirección web"),
    ("ruc", "2010012345\x00", CONTROL),
]


def _post(santa_anita, **overrides):
    return {**valid_post(sector=str(santa_anita.sectors.get(number=1).pk)), **overrides}


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value", "message"), REFUSED, ids=lambda v: str(v)[:24])
def test_refused_input_is_a_spanish_field_error_keeps_the_form_and_writes_nothing(
    client, santa_anita, field, value, message
):
    response = client.post(REGISTER, _post(santa_anita, **{field: value}))
    assert response.status_code == 200
    form = response.context["form"]
    errors = " ".join(str(e) for e in form.errors.get(field, []))
    assert message in errors, form.errors
    # What else was typed stays in the form.
    assert 'value="Rosa Huamán"' in response.content.decode() or field == "contact_name"
    assert not Organization.objects.exists()


@pytest.mark.django_db
def test_a_list_where_one_value_is_expected_is_a_field_error(client, santa_anita):
    data = _post(santa_anita)
    data["members_count"] = ["3", "4"]  # the last one counts, as in any HTML form
    data["typology"] = ["cultural", "<script>"]
    response = client.post(REGISTER, data)
    assert "Escoja una opción válida" in str(response.context["form"].errors["typology"])
    assert not Organization.objects.exists()


ACCEPTED = [
    "Asociación Cultural نادي الحي",  # right-to-left letters
    "Club Zapateo 💃🏽 y Cajón 🥁",  # emoji, with a skin-tone modifier
    "Juventud Ñandu\u0301 Ccollana",  # a combining accent
    'Club O\'Neil & "Los de Abajo"',  # quotes and ampersand
    "=Club Fórmula Uno",  # a formula sign: stored, neutralised in exports
]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ACCEPTED)
def test_acceptable_oddities_are_stored_as_typed_and_rendered_escaped(client, santa_anita, name):
    response = client.post(REGISTER, _post(santa_anita, name=name))
    assert response.status_code == 302
    organization = Organization.objects.get()
    assert organization.name == name
    client.force_login(UserFactory(role=Role.COORDINATOR))
    url = reverse("platform_app:verification-detail", args=[organization.registration_code])
    page = client.get(url).content.decode()
    escaped = name.replace("&", "&amp;").replace("'", "&#x27;").replace('"', "&quot;")
    assert escaped in page


# --- Other forms of platform_app ---------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "Ana\x01", CONTROL),
        ("name", LONG, "menos de 150 caracteres"),
        ("email", "no-es-correo", "correo electrónico válida"),
        ("details", "<script>x</script>", "sin etiquetas HTML"),
        ("kind", "delete_everything", "Escoja una opción válida"),
    ],
    ids=lambda v: str(v)[:24],
)
def test_data_request_form_refuses_bad_input(client, santa_anita, field, value, message):
    data = {"kind": "access", "name": "Vecina", "email": "v@example.org", "details": ""}
    data[field] = value
    response = client.post(reverse("platform_app:data-request-create"), data)
    assert message in str(response.context["form"].errors[field])
    assert not DataRequest.objects.exists()


MEETING = {
    "kind": "ordinary",
    "title": "Sesión ordinaria",
    "starts_at": "2026-12-20T18:00",
    "ends_at": "2026-12-20T20:00",
    "place": "Sala de regidores",
}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("starts_at", "9999-12-31T23:00", YEAR),
        ("ends_at", "0001-01-01T00:00", YEAR),
        ("starts_at", "2026-13-45T25:61", "fecha/hora válida"),
        ("starts_at", "mañana", "fecha/hora válida"),
        ("title", "Sesión\x02", CONTROL),
        ("title", LONG, "menos de 200 caracteres"),
        ("latitude", "inf", "número"),
        ("latitude", "91", "menor o igual a 90"),
        ("longitude", "1e400", "número"),
        ("video_url", "javascript:alert(1)", "URL válida"),
    ],
    ids=lambda v: str(v)[:24],
)
def test_meeting_form_refuses_bad_input(field, value, message):
    with translation.override("es"):
        form = MeetingForm({**MEETING, field: value}, places=[])
        assert not form.is_valid()
        assert message in str(form.errors[field]), form.errors


# --- Money and GeoJSON -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12abc", "Introduzca un número"),
        ("1e400", "dígitos en total"),
        ("NaN", "Introduzca un número"),
        ("Infinity", "Introduzca un número"),
        ("1,000.00", "Introduzca un número"),
        ("12345678901234567890", "dígitos en total"),
        ("0.001", "decimales"),
        ("-5", "mayor o igual a 0"),
    ],
    ids=lambda v: str(v)[:24],
)
def test_money_amounts_refuse_malformed_numbers(value, message):
    with translation.override("es"):
        form = AllocationForm({"amount_pen": value}, pledges=Pledge.objects.none())
        assert not form.is_valid()
        assert message in str(form.errors["amount_pen"]), form.errors


@pytest.mark.django_db
@pytest.mark.parametrize(
    "geometry",
    [
        "{not json",
        '"a string"',
        "[]",
        '{"type": "Polygon", "coordinates": "x"}',
        '{"type": "Point", "coordinates": [1e400, 0]}',
        '{"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 0]]]}',
        '{"type": "GeometryCollection", "geometries": []}',
        '{"type": "Polygon", "coordinates": [[[-76.97, -12.04], [1000, 1000], [0, 0]]]}',
    ],
    ids=lambda v: str(v)[:24],
)
def test_geojson_that_is_not_a_place_is_a_field_error(santa_anita, geometry):
    with translation.override("es"):
        form = PublicSpaceForm(
            {"name": "Parque", "category": "park", "geometry": geometry}, district=santa_anita
        )
        assert not form.is_valid()
        assert form.errors["geometry"]
        assert all(str(e)[:1].isupper() for e in form.errors["geometry"])


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["starts_at", "ends_at"])
def test_a_meeting_in_the_year_9999_is_a_field_error_not_a_crash(client, coordinator, field):
    """31 December 9999, 23:00 in Lima is in the year 10000 in UTC: it used to overflow."""
    from platform_app.models import Meeting

    response = client.post(
        reverse("platform_app:meeting-create"), {**MEETING, field: "9999-12-31T23:00"}
    )
    assert response.status_code == 200
    assert YEAR in response.content.decode()
    assert 'value="9999-12-31T23:00"' in response.content.decode()
    assert not Meeting.objects.exists()


# --- API writes --------------------------------------------------------------------------

API_MEETING = {
    "kind": "ordinary",
    "title": "Sesión por API",
    "starts_at": "2026-12-20T18:00:00-05:00",
    "ends_at": "2026-12-20T20:00:00-05:00",
    "place": "Municipalidad",
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "Sesión\x01\x1b", CONTROL),
        ("title", "Sesión \ud800", "Surrogate"),
        ("title", LONG, "200"),
        ("title", ["una", "lista"], "cadena"),
        ("place", {"un": "objeto"}, "cadena"),
        ("starts_at", "9999-12-31T23:00:00-05:00", "fuera de rango"),
        ("starts_at", "1800-01-01T10:00:00-05:00", "1900"),
        ("starts_at", 1234567890, "Fecha/hora"),
        ("latitude", "NaN", "número"),
        ("kind", None, "nulo"),
    ],
    ids=lambda v: str(v)[:24],
)
def test_api_meeting_writes_refuse_bad_input_in_spanish(field, value, message):
    import json

    from rest_framework.test import APIClient

    from platform_app.models import Meeting

    api = APIClient()
    api.force_authenticate(UserFactory(role=Role.COORDINATOR))
    response = api.post(
        "/api/platform/meetings/",
        json.dumps({**API_MEETING, field: value}),  # ASCII escapes: a lone surrogate travels
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 400, response.content
    assert message in str(response.json()[field]), response.json()
    assert not Meeting.objects.exists()
