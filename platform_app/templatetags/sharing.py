"""``{{ url|absolute:request }}``: link previews (Open Graph) need absolute addresses."""

from __future__ import annotations

from django import template
from django.http import HttpRequest

register = template.Library()


@register.filter
def absolute(url: object, request: HttpRequest | None) -> str:
    """The address as the chat app that fetched the page can follow it; an address that is
    already absolute (files on object storage) is kept."""
    text = str(url or "")
    if request is None or not text:
        return text
    return request.build_absolute_uri(text)
