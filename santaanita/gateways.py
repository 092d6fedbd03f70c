"""Text messages to phones: SMS and WhatsApp, through the gateway the environment names.

``SMS_URL`` and ``WHATSAPP_URL`` choose the backend, like ``EMAIL_URL`` does for email:

- ``file://`` (the embedded default) writes each message as a readable file under
  ``data/outbox/`` beside the emails (``file:///some/folder`` writes there instead), so a
  person running the platform on a laptop can read the codes and reminders it sends.
- ``https://ACCOUNT_SID:AUTH_TOKEN@api.twilio.com/?from=+51...`` sends through Twilio's
  Messages API with its maintained SDK (``messaging_service=MG...`` instead of ``from``
  sends through a messaging service). The host is taken from the URL, so tests point the
  real backend at a local HTTP server and read the exact requests it makes.

Every message carries a stable ``key`` chosen by the caller (the ledger row's key): the
file backend names the file after it, and Twilio, which has no idempotency key on its
Messages API, receives it in the status-callback URL, so every delivery receipt names the
ledger row it is about.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings

CHANNELS = ("sms", "whatsapp")

# A GSM-7 message fits 160 septets in one segment; a longer one is split into parts of 153
# (7 septets go to the concatenation header). Outside GSM-7 the message is sent as UCS-2:
# 70 characters, or parts of 67.
GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67

HTTP_TIMEOUT_SECONDS = 15


class GatewayError(Exception):
    """The message was not accepted. ``permanent`` when sending it again cannot help (an
    invalid number, a refused template); otherwise the caller retries later."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def _gsm_encode(text: str) -> bytes | None:
    import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)

    try:
        return text.encode("gsm03.38")
    except UnicodeEncodeError:
        return None


def sms_segments(body: str) -> int:
    """How many SMS parts ``body`` costs: GSM-7 (an escaped character such as € counts twice)
    when every character fits, UCS-2 otherwise."""
    encoded = _gsm_encode(body)
    if encoded is not None:
        septets = len(encoded)
        return 1 if septets <= GSM_SINGLE else math.ceil(septets / GSM_PART)
    units = len(body.encode("utf-16-le")) // 2
    return 1 if units <= UCS2_SINGLE else math.ceil(units / UCS2_PART)


def sms_text(body: str) -> str:
    """``body`` in GSM-7 where it can be: Spanish accents outside the alphabet (á, í, ó, ú)
    lose their accent rather than turning the whole message into UCS-2, which would more
    than halve the characters per segment. ñ, é, ü and ¿¡ are GSM-7 and stay."""
    folded = []
    for char in body:
        if _gsm_encode(char) is not None:
            folded.append(char)
            continue
        base = unicodedata.normalize("NFD", char)[0]
        folded.append(base if _gsm_encode(base) is not None else char)
    return re.sub(r"[ \t]+", " ", "".join(folded)).strip()


def _gateway_url(channel: str) -> str:
    if channel == "sms":
        return str(settings.SMS_URL)
    if channel == "whatsapp":
        return str(settings.WHATSAPP_URL)
    raise GatewayError(f"Unknown channel {channel!r}.", permanent=True)


def send_text(
    *,
    channel: str,
    to: str,
    body: str,
    key: str,
    template: str = "",
    params: Sequence[str] = (),
) -> str:
    """Send ``body`` (or, on WhatsApp, the approved ``template`` with ``params``) to ``to``
    (E.164); returns the provider's message id. Raises ``GatewayError``."""
    if not re.fullmatch(r"\+[1-9]\d{6,14}", to):
        raise GatewayError(f"{to!r} is not an E.164 number.", permanent=True)
    url = urlsplit(_gateway_url(channel))
    if url.scheme == "file":
        return _file_send(url.path, channel, to, body, key, template, params)
    if url.scheme in ("http", "https"):
        return _twilio_send(url.geturl(), channel, to, body, key, template, params)
    raise GatewayError(f"Unsupported gateway URL scheme {url.scheme!r}.", permanent=True)


def _file_send(
    folder: str,
    channel: str,
    to: str,
    body: str,
    key: str,
    template: str,
    params: Sequence[str],
) -> str:
    target = Path(folder) if folder not in ("", "/") else Path(settings.EMAIL_FILE_PATH)
    target.mkdir(parents=True, exist_ok=True)
    now = datetime.now(tz=UTC)
    safe_key = re.sub(r"[^A-Za-z0-9.-]+", "_", key)[:120]
    message_id = f"{channel}-{now:%Y%m%d-%H%M%S%f}-{safe_key}"
    # Written like an email (headers, a blank line, the text) so the outbox tools that
    # forget a person or purge old copies read these files the same way.
    lines = [f"Channel: {channel}", f"To: {to}", f"Key: {key}", f"Date: {now.isoformat()}"]
    if template:
        lines.append(f"Template: {template}")
        lines.append(f"Parameters: {json.dumps(list(params), ensure_ascii=False)}")
    if channel == "sms":
        lines.append(f"Segments: {sms_segments(body)}")
    text = "\n".join(lines) + "\n\n" + body + "\n"
    path = target / f"{message_id}.log"
    temporary = path.with_suffix(".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)  # a reader never sees half a message
    return message_id


def _twilio_send(
    url: str,
    channel: str,
    to: str,
    body: str,
    key: str,
    template: str,
    params: Sequence[str],
) -> str:
    from twilio.base.exceptions import TwilioException, TwilioRestException
    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    parts = urlsplit(url)
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    if not parts.username or not parts.password:
        raise GatewayError("The gateway URL needs ACCOUNT_SID:AUTH_TOKEN@.", permanent=True)
    client = Client(
        parts.username,
        parts.password,
        http_client=TwilioHttpClient(timeout=HTTP_TIMEOUT_SECONDS),
    )
    # The SDK builds every request from its domain's base URL; pointing it at the URL's host
    # keeps the SDK's own request building while letting tests use a local server.
    client.api.base_url = f"{parts.scheme}://{parts.hostname}" + (
        f":{parts.port}" if parts.port else ""
    )
    prefix = "whatsapp:" if channel == "whatsapp" else ""
    arguments: dict[str, object] = {"to": prefix + to}
    if "messaging_service" in query:
        arguments["messaging_service_sid"] = query["messaging_service"]
    elif "from" in query:
        sender = query["from"]
        arguments["from_"] = sender if sender.startswith(prefix) else prefix + sender
    else:
        raise GatewayError("The gateway URL needs ?from= or ?messaging_service=.", permanent=True)
    if channel == "whatsapp" and template:
        arguments["content_sid"] = settings.WHATSAPP_TEMPLATES.get(template, template)
        arguments["content_variables"] = json.dumps(
            {str(number): value for number, value in enumerate(params, start=1)},
            ensure_ascii=False,
        )
    else:
        arguments["body"] = body
    callback = str(settings.MESSAGING_CALLBACK_URL)
    if callback:
        arguments["status_callback"] = f"{callback}?{urlencode({'key': key})}"
    try:
        message = client.messages.create(**arguments)
    except TwilioRestException as exc:
        # 4xx: the request itself is wrong (number, template, account) and will stay wrong;
        # 429 and 5xx are the provider's momentary trouble.
        permanent = 400 <= exc.status < 500 and exc.status != 429
        raise GatewayError(f"{exc.status} {exc.code}: {exc.msg}", permanent=permanent) from exc
    except (TwilioException, OSError) as exc:
        raise GatewayError(str(exc)) from exc
    except Exception as exc:  # requests' connection errors and timeouts
        raise GatewayError(f"{type(exc).__name__}: {exc}") from exc
    return str(message.sid)


def webhook_signature_valid(*, url: str, params: dict[str, str], signature: str) -> bool:
    """Whether a request to one of our webhooks was signed by the provider: Twilio signs the
    exact URL and the posted parameters with the account's auth token (that of SMS_URL or
    WHATSAPP_URL), checked by its SDK's validator."""
    from twilio.request_validator import RequestValidator

    tokens = {
        urlsplit(gateway).password
        for gateway in (settings.SMS_URL, settings.WHATSAPP_URL)
        if urlsplit(gateway).scheme in ("http", "https")
    }
    return any(
        RequestValidator(token).validate(url, params, signature) for token in tokens if token
    )
