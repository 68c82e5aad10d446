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


def register(provider):
    if provider not in _providers:
        _providers.append(provider)
    return provider


def _sort_key(todo):
    if todo.deadline is None:
        return (1, "")
    d = todo.deadline
    return (0, d.isoformat() if isinstance(d, datetime) else datetime.combine(d, datetime.min.time()).isoformat())


def todos_for(user):
    if not user.is_authenticated:
        return []
    items = [todo for provider in _providers for todo in provider(user)]
    return sorted(items, key=_sort_key)
