import pytest
from django.core.exceptions import ValidationError

from santaanita.phones import (
    accepts_codes,
    is_mobile,
    normalize_mobile,
    normalize_phone,
    parse_phone,
)


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("987 654 321", "+51987654321"),
        ("+51 987-654-321", "+51987654321"),
        ("0051 987654321", "+51987654321"),
        ("(01) 362-1234", "+5113621234"),
        ("362 1234", "+5113621234"),
        ("+34 612 345 678", "+34612345678"),
    ],
)
def test_numbers_are_stored_in_e164_however_typed(typed, e164):
    assert parse_phone(typed) == e164


@pytest.mark.parametrize("typed", ["", "12345", "887654321", "98765432a", "0800-FLOWERS"])
def test_what_is_not_a_phone_number_parses_to_none(typed):
    assert parse_phone(typed) is None


def test_mobiles_are_told_from_landlines():
    assert is_mobile("+51987654321")
    assert not is_mobile("+5113621234")


def test_codes_go_only_to_peruvian_mobiles_by_default():
    assert accepts_codes("+51987654321")
    assert not accepts_codes("+34612345678")
    with pytest.raises(ValidationError) as error:
        normalize_mobile("+34 612 345 678")
    assert "Peruvian" in str(error.value) or "peruanos" in str(error.value)
    with pytest.raises(ValidationError):
        normalize_mobile("01 362 1234")


def test_a_setting_allows_other_countries(settings):
    settings.PHONE_CODE_REGIONS = ["PE", "ES"]
    assert normalize_mobile("+34 612 345 678") == "+34612345678"


def test_a_form_gets_a_spanish_reason_for_a_wrong_number():
    with pytest.raises(ValidationError) as error:
        normalize_phone("887654321")
    assert error.value.code == "phone_format"


def test_a_message_reaches_a_mobile_and_never_a_landline():
    from santaanita.phones import parse_mobile

    assert parse_mobile("987 654 321") == "+51987654321"
    assert parse_mobile("01 362 1234") is None
    assert parse_mobile("") is None
