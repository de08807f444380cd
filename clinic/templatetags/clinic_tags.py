from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_link(context, url_name: str, label: str) -> str:
    """A navigation item, marked current when the request is under it.

    An app that is not installed in this deployment simply has no item.
    """
    try:
        url = reverse(url_name)
    except NoReverseMatch:
        return ""
    request = context.get("request")
    current = request is not None and (request.path == url or (url != "/" and request.path.startswith(url)))
    return format_html(
        '<li class="nav-item"><a class="nav-link{}" href="{}"{}>{}</a></li>',
        " active" if current else "",
        url,
        mark_safe(' aria-current="page"') if current else "",  # noqa: S308 - constant
        label,
    )


@register.simple_tag
def url_or_empty(url_name: str, *args) -> str:
    """``{% url %}`` for links to optional features: empty when the URL does not exist."""
    try:
        return reverse(url_name, args=args or None)
    except NoReverseMatch:
        return ""
