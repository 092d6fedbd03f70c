"""One-object rules of the registry: names, RUC numbers, phone numbers."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from platform_app.models.registry import name_similarity, normalize_name
from santaanita.peru import validate_ruc


def test_abbreviations_accents_case_and_articles_normalise_alike():
    assert normalize_name("Asoc. Vecinal Los Ficus") == normalize_name(
        "Asociación vecinal  los FICUS"
    )
    assert normalize_name("J.J.V.V. Santa Rosa") == normalize_name("Junta Vecinal Sta. Rosa")


@pytest.mark.parametrize(
    ("written", "spelled_out"),
    [
        ("JJ.VV. Los Ficus", "Junta Vecinal Los Ficus"),
        ("JJ. VV. Los Ficus", "Junta vecinal Los Ficus"),
        ("JJVV Los Ficus", "Junta Vecinal Los Ficus"),
        ("AA.HH. Señor de los Milagros", "Asentamiento Humano Señor de los Milagros"),
        ("AA. HH. Huáscar", "Asentamiento humano Huáscar"),
        ("CC.PP. Santa Rosa", "Centro Poblado Santa Rosa"),
        ("PP.JJ. El Éxito", "Pueblo Joven El Éxito"),
        ("Club Dep. Unión", "Club Deportivo Unión"),
        ("Org. Juvenil Los Halcones", "Organización Juvenil Los Halcones"),
        ("Asoc. Cult. Danzas del Perú", "Asociación Cultural Danzas del Perú"),
    ],
)
def test_the_written_forms_of_peru_fold_to_the_spelled_out_name(written, spelled_out):
    assert normalize_name(written) == normalize_name(spelled_out)


def test_numbers_are_not_taken_for_doubled_letter_abbreviations():
    assert normalize_name("Mz. 11 22 Los Ficus") == "manzana 11 22 ficus"


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


def test_ruc_rules_are_python_stdnums():
    """The maintained rules decide, series included: SUNAT's 16 series is not a RUC."""
    from stdnum.pe import ruc as stdnum_ruc

    from santaanita.peru import ruc_is_valid

    numbers = [f"{series}{body:08d}" for series in (10, 15, 16, 17, 20) for body in range(40)]
    numbers = [n + stdnum_ruc.calc_check_digit(n) for n in numbers]
    assert [ruc_is_valid(n) for n in numbers] == [stdnum_ruc.is_valid(n) for n in numbers]
    assert not ruc_is_valid("16000000012")
