"""The 薄弱人物 tabs: each shown only to a user who can open it (issue 9: no tab leads to an error page)."""

from django import template
from django.urls import reverse

register = template.Library()

# (tab, label, url name, who may open it: "read" = care_read; "talk" = care_read or care_talk; "helped" = also a 帮教人)
TABS = [
    ("home", "概况", "care_home", "helped"),
    ("suggestions", "排查建议", "care_suggestions", "read"),
    ("register", "台账", "care_register", "helped"),
    ("screenings", "排查记录", "care_screenings", "read"),
    ("talks", "谈心谈话", "care_talks", "talk"),
    ("coverage", "覆盖率", "care_coverage", "read"),
]


@register.inclusion_tag("care/_nav.html", takes_context=True)
def care_tabs(context, current):
    from care import access

    user = context["request"].user
    reads = access.can(user, "care_read")
    talks = reads or access.can(user, "care_talk")
    allowed = {"read": reads, "talk": talks, "helped": reads or talks or _helps(user)}
    tabs = [(key, label, reverse(name)) for key, label, name, who in TABS if allowed[who]]
    return {"tabs": tabs if len(tabs) > 1 else [], "current": current}


def _helps(user):
    from care import access

    return bool(user.is_authenticated and user.person_id and access.helped_person_ids(user).exists())
