"""Render Django form fields with Bootstrap Italia classes and the ARIA links that tie
help texts and errors to their field (WCAG 1.3.1, 3.3.1)."""

from django import forms, template

register = template.Library()


def _css_class(widget):
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


@register.simple_tag
def bi_widget(bound_field):
    widget = bound_field.field.widget
    attrs = {"class": " ".join(filter(None, [widget.attrs.get("class", ""), _css_class(widget)]))}
    described_by = []
    if bound_field.help_text:
        described_by.append(f"{bound_field.auto_id}_help")
    if bound_field.errors:
        described_by.append(f"{bound_field.auto_id}_errors")
        attrs["aria-invalid"] = "true"
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    if bound_field.field.required:
        attrs["aria-required"] = "true"
    return bound_field.as_widget(attrs=attrs)


@register.filter
def is_checkbox(bound_field):
    return isinstance(bound_field.field.widget, forms.CheckboxInput)


@register.filter
def is_file(bound_field):
    return isinstance(bound_field.field.widget, forms.FileInput)
