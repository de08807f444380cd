"""Template tags of the staff workplace (Django's admin)."""

from __future__ import annotations

from django import template
from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from clinic.memo import Memo

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


# action_form_fields: the changelist's actions form (unbound on every page) per form class,
# action choices and language.
_ACTION_FORMS: Memo[str] = Memo(256)


@register.simple_tag
def action_form_fields(action_form) -> str:
    """The fields of the changelist's actions form, as Django's ``admin/actions.html`` writes
    them, rendered once per form class, list of actions and language: the admin builds the form
    afresh and unbound for every page, so nothing else can change it."""
    if action_form.is_bound:
        return _render_action_fields(action_form)
    choices = tuple((value, str(label)) for value, label in action_form.fields["action"].choices)
    key = (type(action_form), choices, get_language())
    return _ACTION_FORMS.get(key, lambda: _render_action_fields(action_form))


def _render_action_fields(action_form) -> str:
    return format_html_join(
        "",
        "{}",
        ((format_html("<label>{} {}</label>", field.label, field) if field.label else field,) for field in action_form),
    )
