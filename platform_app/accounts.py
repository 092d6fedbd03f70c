"""allauth adapter: account emails (verification, password reset) go through the delivery
ledger and Celery, so signing up never waits on the mail server and a failed send retries.

Accounts may also have a mobile number instead of (or beside) an email: residents and
representatives sign up and sign in with it and a code sent by SMS, within the limits of
``platform_app.codes``. The number lives on ``User.phone`` in E.164."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.stages import EmailVerificationStage as AllauthEmailVerificationStage
from django import forms
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from platform_app.codes.services import code_request_record, code_send, user_phone_set
from platform_app.models import CodeRequest, User
from platform_app.services.ledger import delivery_schedule
from santaanita.phones import normalize_mobile, parse_phone


class MobileField(forms.CharField):
    """A Peruvian mobile, typed any usual way, cleaned to E.164."""

    def __init__(self, *, required: bool = True) -> None:
        super().__init__(
            label=_("Mobile"),
            help_text=_("9 digits starting with 9: we send you a code by SMS."),
            widget=forms.TextInput(
                attrs={"inputmode": "tel", "autocomplete": "tel", "type": "tel"}
            ),
            max_length=30,
            required=required,
        )

    def clean(self, value: object) -> str:
        cleaned: str = super().clean(value)
        return get_adapter_phone(cleaned) if cleaned else ""


def get_adapter_phone(value: str) -> str:
    from allauth.account.adapter import get_adapter

    return str(get_adapter().clean_phone(normalize_mobile(value)))


# allauth ships no type information: mypy cannot check these overrides against it.
class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def send_mail(self, template_prefix: str, email: str, context: dict[str, object]) -> None:
        message = self.render_mail(template_prefix, email, context)
        html = next(
            (
                content
                for content, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        delivery_schedule(
            recipient=email,
            kind=f"account.{template_prefix.rsplit('/', 1)[-1]}",
            # Every account email is its own event (a second verification request must
            # send again), so the key is unique per call rather than per object.
            object_key=uuid.uuid4().hex,
            subject=str(message.subject),
            body=str(message.body),
            html_body=str(html),
            language=translation.get_language() or "es-pe",
        )

    def get_login_stages(self) -> list[str]:
        stages: list[str] = super().get_login_stages()
        return [
            "platform_app.accounts.EmailVerificationStage"
            if stage == "allauth.account.stages.EmailVerificationStage"
            else stage
            for stage in stages
        ]

    def phone_form_field(self, *, required: bool = True, **kwargs: object) -> MobileField:
        # Always "Mobile": codes go by SMS, so a landline would be refused anyway.
        return MobileField(required=required)

    def clean_phone(self, phone: str) -> str:
        # Every phone field of allauth's forms (sign-up, asking for a sign-in code) leads to
        # a code by SMS, so the code limits are counted here, where a refusal is a form
        # error the person can read. A form refused for another reason still counts: a bot
        # re-posting it is still asking for codes.
        code_request_record(
            phone=phone,
            ip=self.get_client_ip(self.request) if self.request else None,
            purpose=CodeRequest.Purpose.SIGN_IN,
        )
        return phone

    def send_verification_code_sms(
        self, user: User, phone: str, code: str, **kwargs: object
    ) -> None:
        code_send(phone=phone, code=code)

    def set_phone(self, user: User, phone: str, verified: bool) -> None:
        user_phone_set(user=user, phone=phone, verified=verified)

    def get_phone(self, user: User) -> tuple[str, bool] | None:
        return (user.phone, user.phone_verified) if user.phone else None

    def set_phone_verified(self, user: User, phone: str) -> None:
        if user.phone == phone and not user.phone_verified:
            user_phone_set(user=user, phone=phone, verified=True)

    def get_user_by_phone(self, phone: str) -> User | None:
        e164 = parse_phone(phone)
        return User.objects.filter(phone=e164, is_active=True).first() if e164 else None


class EmailVerificationStage(AllauthEmailVerificationStage):  # type: ignore[misc]
    """An account with an email signs in only once the email is confirmed, as before; one
    with only a mobile confirmed it with the SMS code and has no email to confirm.

    allauth's own "mandatory" setting would require an email of everyone, so the setting
    is "optional" and this stage makes it mandatory where there is an address."""

    def handle(self) -> tuple[HttpResponseBase | None, bool]:
        from allauth.account.internal.flows.email_verification import (
            send_verification_email_at_login,
        )
        from allauth.account.utils import has_verified_email

        user = self.login.user
        if not (self.login.email or user.email) or has_verified_email(user, self.login.email):
            return None, True
        send_verification_email_at_login(self.request, self.login)
        return get_adapter_response(self.request, user), True


def get_adapter_response(request: HttpRequest, user: User) -> HttpResponseBase:
    from allauth.account.adapter import get_adapter

    response: HttpResponseBase = get_adapter(request).respond_email_verification_sent(request, user)
    return response


class LoginForm(AllauthLoginForm):  # type: ignore[misc]
    """Sign in with a password, by email or by mobile: the field says so (allauth's label is
    a bare "Login")."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Email or mobile")
        self.fields["login"].widget.attrs["autocomplete"] = "username"


class SignupForm(AllauthSignupForm):  # type: ignore[misc]
    """Sign up with an email, a mobile or both. With only a mobile there is no password: the
    person signs in with a code sent to it. With an email a password is needed, as before."""

    def clean(self) -> dict[str, object]:
        cleaned: dict[str, object] = super().clean()
        email, phone = cleaned.get("email"), cleaned.get("phone")
        if not email and not phone and not self.errors:
            raise forms.ValidationError(
                _("Enter a mobile number or an email address."), code="no_login"
            )
        if email and not phone and not cleaned.get("password1") and "password1" not in self.errors:
            self.add_error("password1", _("Choose a password to sign in with your email."))
        return cleaned


def axes_username(request: HttpRequest, credentials: Mapping[str, object] | None) -> str | None:
    """The account a sign-in attempt is for, whichever form sent it.

    The admin form passes ``username``, allauth passes ``email``; without this django-axes
    would record None and lock every account tried from one address together.
    """
    credentials = credentials or {}
    for key in ("email", "phone", "username", "login"):
        value = credentials.get(key) or request.POST.get(key)
        if value:
            return str(value).strip().lower()
    return None
