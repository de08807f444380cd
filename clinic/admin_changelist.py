"""Changelist rows rendered in one pass, with the same markup as Django's ``items_for_result``.

Django renders each cell generically: the action checkbox through a widget template (a
template render per row), the row's change link through ``reverse`` and
``add_preserved_filters`` (which resolves the URL again) per row, ``static`` per boolean icon.
That was over half of the appointment search page's time (bench/profile_page.py). Here the
per-column work (the cell's class, how its value is shown, the change URL around the key) is
settled once per page, and each row only reads its values and escapes them.

Use ``LightChangelistMixin`` on a ModelAdmin and let its ``change_list.html`` extend
``admin/light_change_list.html``, which writes ``cl.light_result_table`` (what Django's
``admin/change_list_results.html`` writes, headers and rows) in ``{% block result_list %}``.
A changelist with a column of another kind (a callable, a model method), list_editable, a
popup, ``to_field`` or a non-integer key gets Django's own rows in that table.
clinic/tests/test_admin_changelist.py checks both give the same HTML.
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Callable

from django.contrib.admin import ModelAdmin
from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    _boolean_icon,
    _coerce_field_name,
    result_headers,
    result_hidden_fields,
    results,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
)
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.template.defaultfilters import capfirst
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat
from django.utils.formats import get_format
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from clinic.admin_paginator import EstimatedCountPaginator

KEY = "8231947650"  # stands for an object's key in a URL reversed once (digits survive quoting)

# obj -> (what the cell shows, or None for the column's fixed classes; the classes otherwise)
Show = Callable[[models.Model], tuple[object, str | None]]


class Unsupported(Exception):
    """A column this renderer does not know: the page gets Django's own rows."""


class LightChangeList(ChangeList):
    result_count_capped = False

    def get_results(self, request):
        super().get_results(request)
        # clinic.admin_paginator counts a filtered list only up to its cap.
        self.result_count_capped = getattr(self.paginator, "capped", False)

    @cached_property
    def light_result_list(self) -> dict:
        """What Django's ``{% result_list cl %}`` gives ``admin/change_list_results.html``."""
        headers = list(result_headers(self))
        rows = self.light_rows()
        return {
            "cl": self,
            "result_hidden_fields": list(result_hidden_fields(self)),
            "result_headers": headers,
            "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
            "results": list(results(self)) if rows is None else rows,
        }

    @cached_property
    def light_result_table(self) -> str:
        """``admin/change_list_results.html`` rendered with ``light_result_list``, written in one
        pass: the template language took a millisecond for 50 rows and 8 headers. The same
        markup (clinic/tests/test_admin_changelist.py renders both); escaped as the template
        escapes (conditional_escape, and capfirst keeping a safe header safe)."""
        context = self.light_result_list
        out = ["\n"]
        if context["result_hidden_fields"]:
            hidden = "".join(conditional_escape(item) for item in context["result_hidden_fields"])
            out.append(f'\n<div class="hiddenfields">\n{hidden}\n</div>\n')
        out.append("\n")
        if context["results"]:
            out.append('\n<div class="results">\n<table id="result_list">\n<thead>\n<tr>\n')
            many = context["num_sorted_fields"] > 1
            for header in context["result_headers"]:
                out.append(_header_cell(header, many))
            out.append("\n</tr>\n</thead>\n<tbody>\n")
            for result in context["results"]:
                out.append("\n")
                errors = result.form.non_field_errors() if getattr(result, "form", None) else None
                if errors:
                    out.append(f'\n    <tr><td colspan="{len(result)}">{conditional_escape(errors)}</td></tr>\n')
                out.append(f"\n<tr>{''.join(conditional_escape(item) for item in result)}</tr>\n")
            out.append("\n</tbody>\n</table>\n</div>\n")
        out.append("\n")
        return SafeString("".join(out))

    def light_rows(self) -> list[ResultList] | None:
        """Each row's cells as one string (the template joins a row's items), or None."""
        if self.formset or self.is_popup or self.to_field:
            return None
        if not all(type(getattr(obj, self.pk_attname)) is int for obj in self.result_list):
            return None
        try:
            cells = self._cells()
        except (Unsupported, NoReverseMatch):
            return None
        # Every cell escapes what it shows (conditional_escape, escape, format_html).
        return [ResultList(None, [SafeString("".join([cell(obj) for cell in cells]))]) for obj in self.result_list]

    def _cells(self) -> list[Callable[[models.Model], str]]:
        link = self._link()
        empty = self.model_admin.get_empty_value_display()
        cells, first = [], True
        for index, name in enumerate(self.list_display):
            linked = self.list_display_links is not None and (
                (first and not self.list_display_links) or name in self.list_display_links
            )
            show, nowrap = self._show(name, empty, linked)
            css = "action-checkbox" if name == "action_checkbox" else f"field-{_coerce_field_name(name, index)}"
            fixed = f' class="{escape(css)}{" nowrap" if nowrap else ""}"'
            if linked:
                cells.append(_linked_cell("th" if first else "td", show, fixed, link))
                first = False
            else:
                cells.append(_cell(show, fixed))
        return cells

    def _link(self) -> Callable[[models.Model], str]:
        """A row's change URL with the changelist's filters, escaped for an attribute."""
        url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=(KEY,),
            current_app=self.model_admin.admin_site.name,
        )
        url = add_preserved_filters({"preserved_filters": self.preserved_filters, "opts": self.opts}, url)
        with_key, attname = url_around_key(url), self.pk_attname
        return lambda obj: with_key(getattr(obj, attname))

    def _show(self, name, empty, linked: bool) -> tuple[Show, bool]:
        """How a column shows a row's value, and whether its cells never wrap."""
        model_admin = self.model_admin
        if name == "action_checkbox":
            if type(model_admin).action_checkbox is not ModelAdmin.action_checkbox:
                raise Unsupported(name)
            return _checkbox(), False
        if callable(name):
            raise Unsupported(name)
        try:
            field = _get_non_gfk_field(self.lookup_opts, name)
        except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
            field = None
        if field is None:
            if name == "__str__" or not callable(getattr(model_admin, name, None)):
                raise Unsupported(name)
            return _method(getattr(model_admin, name), name, empty), False
        if field.auto_created:
            raise Unsupported(name)
        nowrap = isinstance(field, (models.DateField, models.TimeField, models.ForeignKey))
        if isinstance(field.remote_field, models.ManyToOneRel):
            return _related(field.name, empty), nowrap
        if getattr(field, "flatchoices", None):
            try:
                # Translated once per page, not once per cell (the labels are lazy).
                choices = {value: str(label) for value, label in field.flatchoices}
            except TypeError as exc:
                raise Unsupported(name) from exc
            return _choice(field.attname, choices, empty), nowrap
        if isinstance(field, models.BooleanField):
            icons = _icons()
            attname = field.attname
            return (lambda obj: (icons[getattr(obj, attname)], None)), nowrap
        # display_for_field's own answers for the commonest columns, settled once per page.
        if type(field) in _TEXT_FIELDS:
            return _text(field.attname, empty), nowrap
        if type(field) is models.DateField:
            return _date(field.attname, empty, get_format("DATE_FORMAT")), nowrap
        return _plain(field, empty, linked), nowrap


def _header_cell(header: dict, many_sorted: bool) -> str:
    """One ``<th>`` of change_list_results.html."""
    sort = ""
    if header["sortable"] and header["sort_priority"] > 0:
        priority = ""
        if many_sorted:
            # {% blocktranslate %} escapes the number it is given, not the translated text.
            number = conditional_escape(header["sort_priority"])
            title = _("Sorting priority: %(priority_number)s") % {"priority_number": number}
            priority = f'<span class="sortpriority" title="{title}">{number}</span>'
        direction = "ascending" if header["ascending"] else "descending"
        remove = conditional_escape(header["url_remove"])
        sort = (
            f'\n       <div class="sortoptions">\n         <a class="sortremove" href="{remove}"'
            f' title="{conditional_escape(_("Remove from sorting"))}"></a>\n         {priority}\n'
            f'         <a href="{conditional_escape(header["url_toggle"])}" class="toggle {direction}"'
            f' title="{conditional_escape(_("Toggle sorting"))}"></a>\n       </div>\n   '
        )
    text = conditional_escape(capfirst(header["text"]))
    if header["sortable"]:
        text = f'<a href="{conditional_escape(header["url_primary"])}">{text}</a>'
    else:
        text = f"<span>{text}</span>"
    return (
        f'\n<th scope="col"{conditional_escape(header["class_attrib"])}>\n   {sort}\n'
        f'   <div class="text">{text}</div>\n   <div class="clear"></div>\n</th>'
    )


def url_around_key(url: str) -> Callable[[int], str]:
    """A URL reversed once with ``KEY`` for its object's key, as a function of any integer key
    giving that URL escaped for an HTML attribute (``reverse`` per row cost more than the row)."""
    head, found, tail = url.partition(KEY)
    if not found or KEY in tail:
        raise NoReverseMatch(url)
    head, tail = escape(head), escape(tail)
    return lambda key: f"{head}{int(key)}{tail}"


def _icons() -> dict:
    return {value: _boolean_icon(value) for value in (True, False, None)}


def _blank(value):
    return "" if isinstance(value, str) and value.strip() == "" else value


def _checkbox() -> Show:
    # ModelAdmin.action_checkbox's widget, without rendering its template for every row; its
    # label is translated once per page (format_html leaves the format string as it is).
    label = _("Select this object for an action - {}")
    box = '<input type="checkbox" name="_selected_action" value="{}" class="action-select" aria-label="{}">'
    return lambda obj: (SafeString(box.format(obj.pk, label.format(html.escape(str(obj))))), None)


def _method(method, name, empty) -> Show:
    empty = getattr(method, "empty_value_display", empty)
    css = f' class="{escape(f"field-{name}")} nowrap"'
    if getattr(method, "boolean", False):
        icons = _icons()

        def boolean(obj):
            try:
                value = method(obj)
            except ObjectDoesNotExist:
                return empty, None
            return (icons[value] if value in icons else _boolean_icon(value)), None

        return boolean

    def shown(obj):
        try:
            value = _blank(method(obj))
        except ObjectDoesNotExist:
            return empty, None
        # Django adds "nowrap" to a cell whose value is a date or a time.
        return display_for_value(value, empty), css if isinstance(value, (datetime.date, datetime.time)) else None

    return shown


def _related(name, empty) -> Show:
    def shown(obj):
        try:
            value = getattr(obj, name)
        except ObjectDoesNotExist:
            return empty, None
        return (empty if value is None else value), None

    return shown


def _choice(attname, choices, empty) -> Show:
    return lambda obj: (choices.get(_blank(getattr(obj, attname)), empty), None)


# Fields display_for_field shows as str(value): text without choices, links or files.
_TEXT_FIELDS = frozenset({models.CharField, models.TextField, models.EmailField, models.SlugField})


def _text(attname, empty) -> Show:
    def shown(obj):
        value = getattr(obj, attname)
        return (empty if value is None or not value.strip() else str(value)), None

    return shown


def _date(attname, empty, date_format: str) -> Show:
    # formats.localize(date) is dateformat.format(date, get_format("DATE_FORMAT")).
    def shown(obj):
        value = getattr(obj, attname)
        return (empty if value is None else dateformat.format(value, date_format)), None

    return shown


def _plain(field, empty, linked) -> Show:
    attname = field.attname
    return lambda obj: (display_for_field(_blank(getattr(obj, attname)), field, empty, avoid_link=linked), None)


def cell_text(value) -> str:
    """``conditional_escape(value)`` for a cell: the same text, without the check for lazy
    arguments that Django's ``escape`` makes on every call (a tenth of the rows' time)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))  # what django.utils.html.escape does


def _cell(show: Show, fixed: str):
    def cell(obj):
        text, classes = show(obj)
        return f"<td{classes or fixed}>{cell_text(text)}</td>"

    return cell


def _linked_cell(tag: str, show: Show, fixed: str, link):
    def cell(obj):
        text, classes = show(obj)
        return f'<{tag}{classes or fixed}><a href="{link(obj)}">{cell_text(text)}</a></{tag}>'

    return cell


class LightChangelistMixin:
    """A ModelAdmin whose changelist rows are rendered by ``LightChangeList``.

    ``list_only``: the columns the list's cells read (``list_display`` and the ``__str__`` of
    the row, for the checkbox's label), as ``QuerySet.only()`` takes them; the page's rows are
    read with those alone (``clinic.admin_paginator``). A column left out is read with one
    query per row: clinic/tests/test_admin_paging.py checks the query count does not grow."""

    list_only: tuple[str, ...] | None = None

    def get_changelist(self, request, **kwargs):
        return LightChangeList

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        if self.list_only and issubclass(self.paginator, EstimatedCountPaginator):
            return self.paginator(queryset, per_page, orphans, allow_empty_first_page, only=self.list_only)
        return super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)
