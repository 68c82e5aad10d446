"""The six first responsibilities (六项"第一责任") of the seed, and the modules that serve them.

The secretary's home is organised by these six. A module registers a tile provider for its
responsibility; the home page shows only responsibilities that have a module, so nothing on
it is a placeholder.

    from common.modules import Figure, register_tile

    @register_tile(1)
    def hazard_figures(user):
        return [Figure("超期隐患", 3, url="/hazards/?overdue=1", warn=True), ...]
"""

from dataclasses import dataclass

from common import homecache

RESPONSIBILITIES = {
    1: ("安全生产标准化", "查隐患、找问题、抓整改、保落实", "shield-check"),
    2: ("安全宣传教育", "党员身边无违章、划片包保、示范岗", "megaphone"),
    3: ("职工安全培训", "每日一题一解、每周一课一案、每月一考一评", "mortarboard"),
    4: ("薄弱人物排查", "排查、帮教、转化,谈心谈话全覆盖", "people"),
    5: ("基层班子建设", "集体领导与分工负责,批评与自我批评", "diagram-3"),
    6: ("矿区和谐维稳", "小事不出区、大事不出矿", "house-heart"),
}

_tiles = {}
_live = set()  # providers computed on every request (they read the clock or a table written all day)


@dataclass(frozen=True)
class Figure:
    label: str
    value: object
    url: str = ""
    warn: bool = False


def register_tile(responsibility, live=False):
    """``live``: the provider reads the time of day; every other tile is kept until a table it read is written
    (``common/homecache.py``; one that reads a table written all day is computed every time)."""

    def decorator(provider):
        return homecache.add_provider(_tiles.setdefault(responsibility, []), _live, provider, live=live)

    return decorator


def tiles_for(user):
    """[(number, title, motto, icon, [Figure])] for the responsibilities that have a module and a figure for the user.
    The figures of the providers that are not live are kept (each until a table it read is written)."""
    numbered = [(number, p) for number, ps in _tiles.items() for p in ps]
    figures = homecache.provided("tiles", user, [p for _n, p in numbered], _live, lambda p: list(p(user)))
    by_number = {}
    for (number, _provider), found in zip(numbered, figures, strict=True):
        by_number.setdefault(number, []).extend(found)
    return [
        (number, title, motto, icon, by_number[number])
        for number, (title, motto, icon) in RESPONSIBILITIES.items()
        if by_number.get(number)  # a tile without a figure for this user would only be a heading
    ]


_cards = []


def register_card(provider=None, *, live=False):
    """A card at the top of the home page, before the tiles: ``provider(user, request) -> (template, context) or None``
    (e.g. a worker's question of the day, answered right there). Cheap: it runs on every home page. ``live``: it reads
    the request or the time of day; any other card is kept until a table it read is written (its context must then
    be plain data)."""

    def decorator(provider):
        return homecache.add_provider(_cards, _live, provider, live=live)

    return decorator(provider) if provider is not None else decorator


def cards_for(user, request=None):
    cards = homecache.provided("cards", user, _cards, _live, lambda p: p(user, request if p in _live else None))
    return [card for card in cards if card]


@dataclass(frozen=True)
class Action:
    """A one-tap button on the home page (SPEC §7.3: "one tap to record a hazard, a diary entry or a talk")."""

    label: str
    url_name: str
    icon: str
    order: int = 100
    visible: object = None  # callable(user) -> bool; None = everybody


_actions = []


def register_action(action):
    if all(a.url_name != action.url_name for a in _actions):
        _actions.append(action)
    return action


def actions_for(user):
    return sorted((a for a in _actions if a.visible is None or a.visible(user)), key=lambda a: a.order)


@dataclass(frozen=True)
class Notice:
    """Something recorded about the user or answered for them (SPEC §7.3 "my records"): shown on their home for a
    while, derived from the records (nothing is stored to be marked read)."""

    text: str
    url: str
    at: object  # date or datetime: newest first
    warn: bool = False


NOTICE_DAYS = 14  # how long a notice stays on the home page
_notices = []


def register_notice(provider):
    """``provider(user, since) -> iterable of Notice`` for records since ``since`` (a datetime); one query."""
    if provider not in _notices:
        _notices.append(provider)
    return provider


def notices_for(user):
    from datetime import date, datetime, timedelta

    from django.utils import timezone

    if not user.is_authenticated or not user.person_id:
        return []
    since = timezone.now() - timedelta(days=NOTICE_DAYS)
    items = [n for provider in _notices for n in provider(user, since)]

    def newest(n):
        at = n.at
        if isinstance(at, datetime):
            return timezone.localtime(at).replace(tzinfo=None)
        return datetime.combine(at, datetime.min.time()) if isinstance(at, date) else datetime.min

    return sorted(items, key=newest, reverse=True)
