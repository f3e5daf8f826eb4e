"""A form field with its label, help and errors, as crispy-forms' Bootstrap 5 pack writes it,
written in Python.

`{{ field|as_crispy_field }}` renders a field through crispy's `field.html` and four to six
templates it includes; the case list's ten filter fields took 17 ms of a 35 ms page that
way. `field_group` writes the same HTML (checked against crispy's, field kind by field kind,
in tests/test_field_html.py) for a field rendered on its own: a form with a crispy
`helper`, which may change the labels, classes or the template, still goes through crispy.
The `as_field` and `as_inline_field` filters (`{% load form_fields %}`) call it."""

from __future__ import annotations

from django import forms
from django.forms.boundfield import BoundField
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from traffick_cm.form_renderer import attributes


def _add_classes(widget: forms.Widget, classes: str) -> None:
    """What crispy's `{% crispy_field field 'class' '...' %}` does to the widget: its class
    name in lower case, then the given classes, each once."""
    inner = getattr(widget, "widgets", [getattr(widget, "widget", widget)])
    for each in inner:
        current = each.attrs.get("class", "")
        name = each.__class__.__name__.lower()
        if not current:
            current = name
        elif name not in current:
            current += f" {name}"
        words = current.split()
        for word in classes.split():
            if word not in words:
                current += f" {word}"
                words.append(word)
        each.attrs["class"] = current


def _errors(field: BoundField) -> str:
    if not field.errors:
        return ""
    lines = format_html_join(
        "",
        '<p id="error_{}_{}"><strong>{}</strong></p>',
        ((number, field.auto_id, error) for number, error in enumerate(field.errors, 1)),
    )
    return format_html(
        '<div id="{}_error" class="invalid-feedback">{}</div>', field.errors.field_id, lines
    )


def _help(field: BoundField) -> str:
    if not field.help_text:
        return ""
    # crispy writes help text unescaped (`|safe`): it is the form's own text, never input.
    if field.auto_id:
        return format_html(
            '<div id="{}_helptext" class="form-text">{}</div>',
            field.auto_id,
            mark_safe(field.help_text),  # noqa: S308
        )
    return format_html('<div class="form-text">{}</div>', mark_safe(field.help_text))  # noqa: S308


def _required(field: BoundField) -> str:
    return " requiredField" if field.field.required else ""


def _label_text(field: BoundField) -> str:
    required = '<span class="asteriskField">*</span>' if field.field.required else ""
    return f"{conditional_escape(field.label)}{required}"


def _choices(field: BoundField, inline: bool) -> str:
    """bootstrap5/layout/radio_checkbox_select.html: a check box or radio button per
    option, then the errors (inline) and the help text."""
    widget = field.field.widget
    if getattr(widget, "choice_filter", False):
        # A widget that writes its own group (traffick_cm/widgets.py ChoiceFilterWidget),
        # as the project's override of crispy's template has it.
        errors = ""
        if field.errors:
            errors = _errors(field).replace(
                'class="invalid-feedback"', 'class="invalid-feedback d-block"', 1
            )
        return f"<div>{field}{errors}</div>{_help(field)}"
    id_ = widget.attrs.get("id") or field.auto_id
    attrs = field.build_widget_attrs({"id": id_} if id_ else {})
    values = widget.format_value(field.value())
    groups = widget.optgroups(field.html_name, values, attrs)
    invalid = " is-invalid" if field.errors else ""
    check = "form-check form-check-inline" if inline else "form-check"
    html = ["<div>"]
    for group_number, (group, options, _index) in enumerate(groups, 1):
        if group:
            html.append(format_html("<strong>{}</strong>", group))
        for number, option in enumerate(options, 1):
            html.append(
                format_html(
                    '<div class="{}"><input type="{}" class="form-check-input{}" name="{}" '
                    'value="{}"{}><label for="{}" class="form-check-label">{}</label>',
                    check,
                    option["type"],
                    invalid,
                    field.html_name,
                    str(option["value"]),
                    attributes(option["attrs"]),
                    option["attrs"].get("id", ""),
                    str(option["label"]),
                )
            )
            if (
                field.errors
                and not inline
                and number == len(options)
                and group_number == len(groups)
            ):
                html.append(_errors(field))
            html.append("</div>")
    html.append("</div>")
    if inline:
        html.append(_errors(field))
    html.append(_help(field))
    return "".join(html)


def _fieldset(field: BoundField, body: str, classes: str) -> str:
    described = (
        format_html(' aria-describedby="{}"', field.aria_describedby)
        if getattr(field, "aria_describedby", None)
        else ""
    )
    # crispy also writes a `for` on the legend, which HTML gives only to a label: left out.
    return (
        f'<fieldset{described}><legend class="{classes}{_required(field)} fs-6">'
        f"{_label_text(field)}</legend>{body}</fieldset>"
    )


def _wrapper(field: BoundField, classes: str, body: str) -> SafeString:
    extra = field.css_classes()
    return format_html(
        '<div id="div_{}" class="{}{}">{}</div>',
        field.auto_id,
        classes,
        f" {extra}" if extra else "",
        mark_safe(body),  # noqa: S308 (built of escaped parts above)
    )


def field_group(field: BoundField, inline: bool = False) -> SafeString:
    """The field as `{{ field|as_crispy_field }}` writes it; with `inline`, a choice of
    radio buttons or check boxes as bootstrap5/layout/radioselect_inline.html writes it."""
    widget = field.field.widget
    if field.is_hidden:
        return mark_safe(str(field))  # noqa: S308 (Django's widget rendering escapes)
    multiple = isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple))
    if inline:
        if not field.label:
            return _wrapper(field, "mb-3", _choices(field, inline=True))
        return _wrapper(field, "mb-3", _fieldset(field, _choices(field, True), " form-label"))
    if isinstance(widget, forms.CheckboxInput):
        _add_classes(widget, "form-check-input is-invalid" if field.errors else "form-check-input")
        body = (
            f'{field}<label for="{conditional_escape(field.id_for_label)}" '
            f'class="form-check-label{_required(field)}">'
            f"{_label_text(field)}</label>{_errors(field)}{_help(field)}"
        )
        return format_html('<div class="mb-3">{}</div>', _wrapper(field, "form-check", body))
    if multiple:
        body = _choices(field, inline=False)
    else:
        kind = "form-select" if isinstance(widget, forms.Select) else "form-control"
        _add_classes(widget, f"{kind} is-invalid" if field.errors else kind)
        body = f"{field}{_errors(field)}{_help(field)}"
    if not field.label:
        return _wrapper(field, "mb-3", body)
    if field.use_fieldset:
        return _wrapper(field, "mb-3", _fieldset(field, body, "form-label"))
    for_ = format_html(' for="{}"', field.id_for_label) if field.id_for_label else ""
    label = f'<label{for_} class="form-label{_required(field)}">{_label_text(field)}</label>'
    return _wrapper(field, "mb-3", label + body)
