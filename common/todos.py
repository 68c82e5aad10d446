"""The 待办 (to-do) mechanism every module feeds.

A module registers a provider: a function ``provider(user) -> iterable of Todo``. It must read
through ``visible_to(user)`` and use a fixed number of queries. The home page shows
``todos_for(user)``: everything the user must act on, nearest deadline first.

    from common.todos import Todo, register

    @register
    def hazards_waiting(user):
        for h in Hazard.objects.visible_to(user).waiting_for(user):
            yield Todo(module="hazards", title=f"验收隐患:{h}", url=h.get_absolute_url(), deadline=h.deadline)
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from common import homecache

_providers = []


@dataclass(frozen=True)
class Todo:
    module: str  # app label, e.g. "orgs", "hazards"
    title: str
    url: str
    deadline: date | datetime | None = None
    detail: str = ""
    urgent: bool = field(default=False)

    @property
    def overdue(self):
        from django.utils import timezone

        if self.deadline is None:
            return False
        if isinstance(self.deadline, datetime):
            return self.deadline < timezone.now()
        return self.deadline < timezone.localdate()


_live = set()  # providers computed on every request (they read the clock or a table written all day)


def register(provider=None, *, live=False):
    """``@register`` or ``@register(live=True)``. A provider that is not live is kept until a table it read is
    written (``common/homecache.py``): it must depend on the records and the day only."""

    def decorator(provider):
        return homecache.add_provider(_providers, _live, provider, live=live)

    return decorator(provider) if provider is not None else decorator


def _sort_key(todo):
    if todo.deadline is None:
        return (1, "")
    d = todo.deadline
    return (0, d.isoformat() if isinstance(d, datetime) else datetime.combine(d, datetime.min.time()).isoformat())


def todos_for(user):
    if not user.is_authenticated:
        return []

    found = homecache.provided("todos", user, _providers, _live, lambda p: list(p(user)))
    items = [todo for todos in found for todo in todos]
    return sorted(items, key=_sort_key)
