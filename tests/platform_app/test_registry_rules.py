"""One-object rules of the registry: names, RUC numbers, phone numbers."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from platform_app.models.registry import name_similarity, normalize_name
from santaanita.peru import normalize_phone, validate_ruc


def test_abbreviations_accents_case_and_articles_normalise_alike():
    assert normalize_name("Asoc. Vecinal Los Ficus") == normalize_name(
        "Asociación vecinal  los FICUS"
    )
    assert normalize_name("J.J.V.V. Santa Rosa") == normalize_name("Junta Vecinal Sta. Rosa")


def test_similarity_catches_partial_typing_and_rejects_other_names():
    target = normalize_name("Asociación vecinal Los Ficus")
    assert name_similarity(normalize_name("Asoc. Vecinal Los Fi"), target) >= 0.5
    assert name_similarity(normalize_name("Club de Leones"), target) < 0.5


@pytest.mark.parametrize("ruc", ["20131312955", "20100070970", "10467793549"])
def test_valid_rucs_pass_the_sunat_check_digit(ruc):
    validate_ruc(ruc)


@pytest.mark.parametrize("ruc", ["20131312956", "2013131295", "30131312955", "abcdefghijk"])
def test_wrong_rucs_are_refused(ruc):
    with pytest.raises(ValidationError):
        validate_ruc(ruc)


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("987 654 321", "+51987654321"),
        ("+51 987-654-321", "+51987654321"),
        ("(01) 362-1234", "+5113621234"),
        ("362 1234", "+5113621234"),
    ],
)
def test_peruvian_phones_are_normalised(typed, normalised):
    assert normalize_phone(typed) == normalised


@pytest.mark.parametrize("typed", ["12345", "887654321", "98765432a", "0987654321"])
def test_wrong_phones_are_refused(typed):
    with pytest.raises(ValidationError):
        normalize_phone(typed)
