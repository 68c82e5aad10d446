"""``{% care_file_link person %}``: the person page's link to the care file, only for those who may read it."""

from django import template
from django.utils.html import format_html

from care import access

register = template.Library()


@register.simple_tag(takes_context=True)
def care_file_link(context, person):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    parts = []
    if access.can_read_file(user, person):
        parts.append(
            format_html(
                '<a class="btn btn-sm btn-outline-danger" id="care-file-link" href="/care/people/{}/"><i class="bi bi-shield-lock"></i> 关爱档案</a>',
                person.pk,
            )
        )
    from orgs import scope

    if scope.can(user, "audit", person.org) or access.can(user, "care_readers", person.org):
        parts.append(
            format_html(
                '<a class="btn btn-sm btn-outline-secondary" href="/care/people/{}/readers/"><i class="bi bi-eye"></i> 关爱档案查看记录</a>',
                person.pk,
            )
        )
    return format_html("".join(["{}"] * len(parts)), *parts) if parts else ""
