"""Template tags of the staff workplace (Django's admin)."""

from __future__ import annotations

from django import template
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import admin_list_filter
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.encoding import iri_to_uri
from django.utils.html import conditional_escape, escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from clinic.admin_changelist import KEY, url_around_key
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


@register.simple_tag(takes_context=True)
def appointment_table(
    context,
    rows,
    caption,
    empty="",
    *,
    show_day=False,
    show_provider=False,
    show_location=False,
    link_patient=False,
    actions="",
) -> str:
    """A dashboard table of appointments (time, patient, provider, location, type, status and an
    optional "check_in" or "approve" button per row).

    Written in one pass: the same table through the template language took 15 ms for the front
    desk's 100 arrivals (a ``{% url %}``, a translated button and a CSRF field per row). The URLs
    are reversed once per table, the CSRF token and the button text read once; every value is
    escaped (format_html, escape)."""
    head = [_("Time"), _("Patient")]
    if show_provider:
        head.append(_("Provider"))
    if show_location:
        head.append(_("Location"))
    head += [_("Type"), _("Status")]
    heads = format_html_join("\n    ", '<th scope="col">{}</th>', ((label,) for label in head))
    if actions:
        heads += format_html('\n    <th scope="col"><span class="dash-visually-hidden">{}</span></th>', _("Action"))
    if rows:
        cells = _appointment_cells(context, show_day, show_provider, show_location, link_patient, actions)
        body = mark_safe("".join(cells(appointment) for appointment in rows))  # noqa: S308 - each cell escapes
    else:
        body = format_html('\n    <tr><td colspan="7" class="dash-empty">{}</td></tr>', empty or _("Nothing here."))
    return format_html(
        '<table class="dash-table">\n  <caption>{}</caption>\n  <thead><tr>\n    {}\n  </tr></thead>\n'
        "  <tbody>{}\n  </tbody>\n</table>",
        caption,
        heads,
        body,
    )


def _appointment_cells(context, show_day, show_provider, show_location, link_patient, actions):
    """The function writing one table row, with what is the same for every row settled first."""
    zone = timezone.get_current_timezone()
    day_format = "D j M" if show_day else None
    patient_url = _url_around_key("admin:records_patient_change") if link_patient else None
    button = None
    if actions in ("check_in", "approve"):
        action_url = _url_around_key(f"admin:dashboard_{actions}")
        label = (
            _('Check in<span class="dash-visually-hidden"> %(name)s</span>')
            if actions == "check_in"
            else _('Approve<span class="dash-visually-hidden"> %(name)s</span>')
        )
        token = escape(context.get("csrf_token", ""))
        field = f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'

        def button(appointment, name):
            return (
                f'<td>\n        <form method="post" action="{action_url(appointment.pk)}">{field}\n'
                f'          <button type="submit" class="button">{label % {"name": name}}</button>\n'
                "        </form></td>"
            )

    def row(appointment) -> str:
        local = timezone.localtime(appointment.start, zone)
        when = dateformat.time_format(local, "H:i")
        if day_format:
            when = f"{dateformat.format(local, day_format)} {when}"
        name = escape(appointment.patient.full_name)
        patient = f'<a href="{patient_url(appointment.patient_id)}">{name}</a>' if patient_url else name
        cells = [f"<td>{escape(when)}</td>", f"<td>{patient}</td>"]
        if show_provider:
            cells.append(f"<td>{escape(appointment.provider.display_name)}</td>")
        if show_location:
            cells.append(f"<td>{escape(appointment.location or '—')}</td>")
        cells += [
            f"<td>{escape(appointment.appointment_type.name)}</td>",
            f"<td>{escape(appointment.status_label)}</td>",
        ]
        if button:
            cells.append(button(appointment, name))
        return (
            f'\n    <tr class="dash-status-{escape(appointment.status)}">\n      '
            + "\n      ".join(cells)
            + "\n    </tr>"
        )

    return row


def _url_around_key(name: str):
    """``reverse(name, args=[key])`` for any integer key, reversed once (escaped for an attribute)."""
    return url_around_key(reverse(name, args=[KEY]))


@register.simple_tag
def light_list_filter(cl, spec) -> str:
    """Django's ``{% admin_list_filter cl spec %}`` for a filter drawn by ``admin/filter.html``,
    written in one pass: the provider filter of a 100-clinician group is 100 links, and the
    template language took ~25 µs a link (the filters were a fifth of the appointment search
    page at the large bench size). Same markup; other filter templates are rendered as Django
    renders them."""
    if spec.template != "admin/filter.html":
        return admin_list_filter(cl, spec)
    rows = []
    for choice in spec.choices(cl):
        selected = ' class="selected"' if choice["selected"] else ""
        link = escape(iri_to_uri(choice["query_string"]))
        rows.append(f'\n    <li{selected}>\n    <a href="{link}">{conditional_escape(choice["display"])}</a></li>')
    title = conditional_escape(spec.title)
    summary = _(" By %(filter_title)s ") % {"filter_title": title}
    return mark_safe(  # noqa: S308 - the title, links and labels are escaped above
        f'<details data-filter-title="{title}" open>\n  <summary>\n    {summary}\n  </summary>\n'
        f"  <ul>{''.join(rows)}\n  </ul>\n</details>"
    )
