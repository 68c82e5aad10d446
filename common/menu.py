"""Menu entries of the side menu (office screen) and the bottom tab bar (phone).

Each app registers its entries; ``visible(user)`` decides whether the user sees it.
"""

from collections.abc import Callable
from dataclasses import dataclass

_entries = []


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    icon: str
    order: int = 100
    visible: Callable = lambda user: True
    tab: bool = False  # also on the phone's bottom tab bar


def register(entry):
    if all(e.url_name != entry.url_name for e in _entries):
        _entries.append(entry)
    return entry


def entries_for(user):
    """The entries the user sees; which ones is kept until a table it read is written (common/homecache.py)."""
    from common import homecache

    # (the number of entries in the key: a module registering later is not missed)
    shown = homecache.cached(f"menu{len(_entries)}", user, lambda: {e.url_name for e in _entries if e.visible(user)})
    return sorted((e for e in _entries if e.url_name in shown), key=lambda e: e.order)
