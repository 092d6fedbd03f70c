"""Money: Decimal amounts, conversions with the pledge's own rate, totals by hand, display."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from interventions.models import Company, Pledge
from interventions.querysets import funding_totals
from interventions.services.pledges import pledge_allocate
from santaanita.money import format_money, to_decimal
from santaanita.peru import ruc_is_valid
from tests.factories_interventions import (
    BudgetLineFactory,
    CompanyFactory,
    KitItemFactory,
    PledgeFactory,
    valid_ruc,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("ruc", "valid"),
    [
        ("20131312955", True),  # SUNAT's own RUC
        ("20131312956", False),  # wrong check digit
        ("2013131295", False),  # ten digits
        ("30131312955", False),  # unknown prefix
        ("20A31312955", False),
    ],
)
def test_ruc_check_digit(ruc, valid):
    assert ruc_is_valid(ruc) is valid


def test_factory_rucs_are_valid():
    assert all(ruc_is_valid(valid_ruc(n)) for n in range(50))


def test_company_with_invalid_ruc_is_refused():
    from django.core.exceptions import ValidationError

    company = CompanyFactory.build(ruc="20131312956")
    with pytest.raises(ValidationError) as excinfo:
        company.full_clean()
    assert "ruc" in excinfo.value.message_dict


def test_usd_pledge_converts_with_its_recorded_rate():
    pledge = PledgeFactory(
        currency="USD", amount=Decimal("5000.00"), exchange_rate=Decimal("3.7321")
    )
    pledge.refresh_from_db()
    assert isinstance(pledge.value_pen, Decimal)
    assert pledge.value_pen == Decimal("18660.50")  # 5000 × 3.7321
    assert pledge.value_usd == Decimal("5000.00")
    # A later pledge made at another day's rate leaves this one's value as recorded, and
    # the company's total adds each pledge at its own rate.
    later = PledgeFactory(
        company=pledge.company,
        currency="USD",
        amount=Decimal("5000.00"),
        exchange_rate=Decimal("3.8000"),
    )
    assert Pledge.objects.get(pk=pledge.pk).value_pen == Decimal("18660.50")
    assert Pledge.objects.get(pk=later.pk).value_pen == Decimal("19000.00")
    company = Company.objects.with_totals().get(pk=pledge.company_id)
    assert company.pledged_pen == Decimal("37660.50")


def test_pen_and_in_kind_pledges_are_valued_in_dollars_with_their_rate():
    pen = PledgeFactory(currency="PEN", amount=Decimal("3750.00"), exchange_rate=Decimal("3.75"))
    in_kind = PledgeFactory(
        kind="in_kind",
        amount=None,
        description="Pintura látex",
        quantity=Decimal("40"),
        unit="galón",
        estimated_value_pen=Decimal("1234.56"),
        exchange_rate=Decimal("3.7000"),
    )
    assert (pen.value_pen, pen.value_usd) == (Decimal("3750.00"), Decimal("1000.00"))
    # 1234.56 / 3.70 = 333.664… → 333.66 (half up to the cent)
    assert (in_kind.value_pen, in_kind.value_usd) == (Decimal("1234.56"), Decimal("333.66"))


def test_floats_are_refused():
    with pytest.raises(TypeError):
        to_decimal(0.1)


def test_totals_match_a_hand_computed_example():
    """Two companies finance one intervention; the municipality and the community add lines.

    By hand: private = 1,500.00 (money) + 800.00 (in kind) = 2,300.00; municipal 4,000.00;
    community 1,066.67; total 7,366.67; private share 2,300 / 7,366.67 = 31.2 %.
    """
    item = KitItemFactory(quantity=Decimal("10"), unit_cost_pen=Decimal("230.00"))
    intervention = item.kit.intervention
    money = PledgeFactory(currency="USD", amount=Decimal("500.00"), exchange_rate=Decimal("3.75"))
    in_kind = PledgeFactory(
        kind="in_kind",
        amount=None,
        description="Cemento",
        quantity=Decimal("20"),
        unit="bolsa",
        estimated_value_pen=Decimal("800.00"),
    )
    assert money.value_pen == Decimal("1875.00")
    pledge_allocate(pledge=money, item=item, amount_pen=Decimal("1500.00"), by=None)
    pledge_allocate(pledge=in_kind, item=item, amount_pen=Decimal("800.00"), by=None)
    BudgetLineFactory(intervention=intervention, source="municipal", amount_pen=Decimal("4000"))
    BudgetLineFactory(intervention=intervention, source="community", amount_pen=Decimal("1066.67"))

    totals = funding_totals(intervention_ids=[intervention.pk])
    assert totals["private"] == Decimal("2300.00")
    assert totals["municipal"] == Decimal("4000.00")
    assert totals["community"] == Decimal("1066.67")
    assert totals["total"] == Decimal("7366.67")
    assert totals["private_share"] == Decimal("31.2")
    assert all(isinstance(v, Decimal) for v in totals.values())
    money.refresh_from_db()
    in_kind.refresh_from_db()
    assert money.state == Pledge.State.PARTLY_USED
    assert in_kind.state == Pledge.State.FULLY_USED


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (Decimal("1234.5"), "PEN", "S/\xa01,234.50"),
        (Decimal("1234.5"), "USD", "US$\xa01,234.50"),
        ("1000000", "PEN", "S/\xa01,000,000.00"),
        (Decimal("0.005"), "PEN", "S/\xa00.01"),
    ],
)
def test_money_format_in_peruvian_spanish(amount, currency, expected):
    with translation.override("es-pe"):
        assert format_money(amount, currency) == expected


def test_money_template_filter():
    template = Template('{% load interventions_money %}{{ a|money }} · {{ a|money:"USD" }}')
    with translation.override("es-pe"):
        assert template.render(Context({"a": Decimal("1234.5")})) == (
            "S/\xa01,234.50 · US$\xa01,234.50"
        )
