"""The record pages' tab bar."""

from __future__ import annotations

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from clinic.memo import Memo

register = template.Library()

TABS = (
    ("records:overview", _("Overview")),
    ("records:visits", _("Visits")),
    ("records:results", _("Results")),
    ("records:vitals", _("Vital signs")),
    ("records:documents", _("Documents")),
    ("records:profile", _("Contact details")),
)

TAB = '<li class="nav-item"><a class="nav-link{}" href="{}">{}</a></li>'
CURRENT = mark_safe(' active" aria-current="page')  # noqa: S308 - a constant

# (URL, HTML as the current tab, HTML as another tab)
Tab = tuple[str, SafeString, SafeString]

# The bar's opening tag and tabs per URLconf, script prefix and language, which is all they
# depend on: six {% url %} and seven {% translate %} tags were a quarter of the overview page's
# template time.
_BARS: Memo[tuple[SafeString, tuple[Tab, ...]]] = Memo(64)


def _bar() -> tuple[SafeString, tuple[Tab, ...]]:
    return _BARS.get((get_urlconf(), get_script_prefix(), get_language()), _build_bar)


def _build_bar() -> tuple[SafeString, tuple[Tab, ...]]:
    tabs = []
    for name, label in TABS:
        url = reverse(name)
        tabs.append((url, format_html(TAB, CURRENT, url, label), format_html(TAB, "", url, label)))
    return format_html('<nav aria-label="{}" class="mb-4 d-print-none">', _("My record")), tuple(tabs)


@register.simple_tag(takes_context=True)
def record_tabs(context) -> SafeString:
    """The tab bar of the patient's record pages, the current page's tab marked."""
    path = context["request"].path
    opening, tabs = _bar()
    items = "\n    ".join(current if url == path else other for url, current, other in tabs)
    # Every part was escaped by format_html when the bar was built.
    return mark_safe(f'{opening}\n  <ul class="nav nav-tabs">\n    {items}\n  </ul>\n</nav>')  # noqa: S308
