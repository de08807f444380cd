"""Template tags of the staff workplace (Django's admin)."""

from __future__ import annotations

from django import template
from django.contrib import admin
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_sidebar(context) -> str:
    """``{% include "admin/nav_sidebar.html" %}``, cached by ``ClinicAdminSite.nav_sidebar``."""

    def render() -> str:
        return context.template.engine.get_template("admin/nav_sidebar.html").render(context)

    site = admin.site
    if not hasattr(site, "nav_sidebar"):
        return render()
    # The template escaped everything it shows; the cache holds its output unchanged.
    return mark_safe(site.nav_sidebar(context["request"], render))  # noqa: S308
