"""allauth adapter: account emails (verification, password reset) go through the delivery
ledger and Celery, so signing up never waits on the mail server and a failed send retries."""

from __future__ import annotations

import uuid
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils import translation

from platform_app.services import delivery_schedule


# allauth ships no type information, so its adapter is Any to mypy.
class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
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


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The account a sign-in attempt is for, whichever form sent it.

    The admin form passes ``username``, allauth passes ``email``; without this django-axes
    would record None and lock every account tried from one address together.
    """
    credentials = credentials or {}
    for key in ("email", "username", "login"):
        value = credentials.get(key) or request.POST.get(key)
        if value:
            return str(value).strip().lower()
    return None
