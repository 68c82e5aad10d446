"""``{% field name label data errors type=… choices=… %}``: one labelled input of a stability form, with what was
typed kept and the Chinese message next to it."""

from django import template

from stability import clock

register = template.Library()


@register.inclusion_tag("stability/_field.html")
def field(name, label, data, errors, type="text", choices=None, blank="", rows=3, help="", prefix="", default=""):
    value = data.get(name, "") if hasattr(data, "get") else default
    if value is None:
        value = ""
    errs = errors.get(name, []) if hasattr(errors, "get") else []
    if isinstance(errs, str):
        errs = [errs]
    return {
        "name": name,
        "id": f"id_{prefix}{name}",
        "label": label,
        "value": str(value),
        "errs": errs,
        "type": type,
        "choices": [(str(v), lbl) for v, lbl in (choices or [])],
        "blank": blank,
        "rows": rows,
        "help": help,
    }


@register.filter
def colour_label(colour):
    return clock.COLOUR_LABELS.get(colour, "")


@register.filter
def colour_class(colour):
    return clock.COLOUR_CLASSES.get(colour, "secondary")
