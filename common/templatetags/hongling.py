from django import template

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
