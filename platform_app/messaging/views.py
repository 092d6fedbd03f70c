"""The short links in text messages, the opt-out page, and the provider's webhooks."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from platform_app.messaging import services
from platform_app.messaging.forms import ChannelForm
from platform_app.messaging.models import Channel, MessagingProfile, Purpose
from platform_app.models import Delivery, User
from platform_app.permissions import require_messaging_usage
from santaanita.gateways import webhook_signature_valid
from santaanita.money import format_money
from santaanita.users import signed_in_user


@login_required
def usage(request: HttpRequest) -> HttpResponse:
    """The coordinators' count of this month's messages per channel, with the estimated
    cost, so the bill of SMS and WhatsApp is never a surprise."""
    district = require_messaging_usage(request.user)
    today = timezone.localdate()
    month_start = datetime.combine(
        today.replace(day=1), time.min, tzinfo=timezone.get_current_timezone()
    )
    rows = services.messaging_usage(district_id=district.pk, month_start=month_start)
    return render(
        request,
        "platform_app/messaging/usage.html",
        {
            "district": district,
            "month": month_start,
            "rows": [(row, format_money(row.cost)) for row in rows],
            "total": format_money(sum((row.cost for row in rows), Decimal(0))),
            "limit": settings.MESSAGES_PER_NUMBER_PER_DAY,
        },
    )


@login_required
@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    """Save where and which messages the signed-in person wants."""
    form = ChannelForm(request.POST)
    if form.is_valid():
        services.messaging_preferences_set(
            user=signed_in_user(request),
            phone=form.cleaned_data["phone"],
            channel=form.cleaned_data["channel"],
            purposes=form.cleaned_data["purposes"],
        )
        messages.success(request, _("Your message preferences have been saved."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("platform_app:platform-home")


def channel_form_for(user: User) -> ChannelForm:
    """The form as the person last left it, for the platform's home page."""
    profile = MessagingProfile.objects.filter(user=user).first()
    return ChannelForm(
        initial={
            "channel": profile.channel if profile else Channel.EMAIL,
            "phone": profile.phone if profile else "",
            "purposes": services.accepted_purposes(user=user),
        }
    )


def _delivery_of(token: str) -> Delivery:
    delivery_id = services.link_delivery_id(token)
    if delivery_id is None:
        raise Http404
    return get_object_or_404(Delivery, pk=delivery_id)


def short_link(request: HttpRequest, token: str) -> HttpResponse:
    """/m/<token>: the page the message was about (the page itself checks who may see it)."""
    delivery = _delivery_of(token)
    return redirect(delivery.link or "home")


@require_http_methods(["GET", "POST"])
def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """/m/<token>/baja: stop this purpose on this channel. The link asks before it acts:
    phones and mail scanners open links on their own, and a GET must not withdraw consent."""
    delivery = _delivery_of(token)
    purpose = delivery.purpose or Purpose.ACCOUNT
    done = False
    if request.method == "POST":
        services.consent_set(
            channel=delivery.channel,
            address=delivery.recipient,
            purpose=purpose,
            allowed=False,
            source="opt-out-link",
        )
        done = True
    return render(
        request,
        "platform_app/messaging/opt_out.html",
        {
            "purpose": Purpose(purpose).label,
            "channel": Channel(delivery.channel).label,
            "done": done,
        },
    )


def _signed(request: HttpRequest) -> bool:
    # The provider signs the public URL it called; behind the proxy the request only knows
    # its internal address, so the URL is rebuilt from SITE_URL.
    url = settings.SITE_URL + request.get_full_path()
    return webhook_signature_valid(
        url=url,
        params={key: request.POST[key] for key in request.POST},
        signature=request.headers.get("X-Twilio-Signature", ""),
    )


# The provider cannot send a CSRF token; its signature is what authenticates these posts.
@csrf_exempt
@require_POST
def status_callback(request: HttpRequest) -> HttpResponse:
    """A delivery receipt: the message was delivered, or could not be."""
    if not _signed(request):
        return HttpResponseForbidden()
    services.delivery_receipt(
        key=request.GET.get("key", ""),
        provider_id=request.POST.get("MessageSid", ""),
        status=request.POST.get("MessageStatus", ""),
        error=request.POST.get("ErrorCode", ""),
    )
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def inbound(request: HttpRequest) -> HttpResponse:
    """A message a person sent to our number; STOP or BAJA stops that channel."""
    if not _signed(request):
        return HttpResponseForbidden()
    sender = request.POST.get("From", "")
    channel = Channel.WHATSAPP if sender.startswith("whatsapp:") else Channel.SMS
    services.inbound_message(
        channel=channel,
        sender=sender.removeprefix("whatsapp:"),
        text=request.POST.get("Body", ""),
    )
    # An empty TwiML answer: the platform does not reply on its own.
    return HttpResponse("<Response/>", content_type="text/xml")
