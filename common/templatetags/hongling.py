from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, 0) if mapping else 0


@register.simple_tag(takes_context=True)
def page_query(context, number):
    """The current query string with ``page`` set to ``number`` (the filters of a list kept while paging)."""
    request = context.get("request")
    query = request.GET.copy() if request is not None else None
    if query is None:
        return f"page={number}"
    query["page"] = number
    return query.urlencode()


@register.simple_tag
def options(objects, selected, label):
    """The ``<option>``s of a select over ``objects`` (one per object, its pk the value), ``label`` a format with the
    object as ``o`` (``"{o.org.name} · {o.name}"``), ``selected`` the value or values the form holds (as sent). One
    join in Python instead of a template loop: a mine's thousand party members render in a few ms, not ~60."""
    chosen = {str(v) for v in selected} if isinstance(selected, (set, list, tuple, frozenset)) else {str(selected)}
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((o.pk, mark_safe(" selected") if str(o.pk) in chosen else "", label.format(o=o)) for o in objects),
    )
