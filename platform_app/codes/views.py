"""The registration submitted with only a mobile: its code is entered, or sent again, on the
page the submitter sees after sending the form."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from platform_app.codes.services import (
    CodeLimitError,
    registration_code_confirm,
    registration_code_send,
)
from platform_app.forms import RegistrationCodeForm
from platform_app.models import Organization, RegistrationCode
from platform_app.permissions import get_submitted_organization


def client_ip(request: HttpRequest) -> str | None:
    """The visitor's address as allauth reads it (behind the trusted proxies)."""
    return str(get_adapter(request).get_client_ip(request)) or None


def registration_code_request(request: HttpRequest, organization: Organization) -> None:
    """Send the confirmation code of a just-submitted registration; a refusal (over a limit)
    is shown on the next page and the submission stays kept."""
    phone = organization.contacts.values_list("phone", flat=True).first() or ""
    try:
        registration_code_send(organization=organization, phone=phone, ip=client_ip(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))


@require_POST
def registration_phone_confirm(request: HttpRequest, code: str) -> HttpResponse:
    organization = get_submitted_organization(request, code)
    form = RegistrationCodeForm(request.POST)
    if form.is_valid():
        try:
            user = registration_code_confirm(
                organization=organization, code=form.cleaned_data["code"]
            )
        except ValidationError as error:
            form.add_error("code", error)
        else:
            login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
            messages.success(
                request, _("Mobile confirmed: you are the organization's representative.")
            )
            return redirect(organization.get_absolute_url())
    return render(
        request,
        "platform_app/organization_registered.html",
        {
            "organization": organization,
            "code_form": form,
            "awaiting_phone": RegistrationCode.objects.filter(organization=organization).first(),
        },
        status=400,
    )


@require_POST
def registration_phone_resend(request: HttpRequest, code: str) -> HttpResponse:
    organization = get_submitted_organization(request, code)
    pending = RegistrationCode.objects.filter(organization=organization, confirmed_at=None)
    if pending.exists():
        try:
            registration_code_send(
                organization=organization, phone=pending[0].phone, ip=client_ip(request)
            )
        except CodeLimitError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("A new code is on its way by SMS."))
    return redirect("platform_app:organization-registered", organization.registration_code)
