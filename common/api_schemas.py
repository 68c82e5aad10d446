"""API pieces every module's answers share: a record's timeline (who did what, when, with what note)."""

from datetime import datetime

from ninja import Schema


class EventOut(Schema):
    action: str
    label: str
    from_status: str
    to_status: str
    actor: str
    at: datetime
    note: str


def events_out(events, labels):
    """``events``: rows with action, from_status, to_status, actor (select_related with its person), at, note."""
    return [
        EventOut(
            action=e.action,
            label=labels.get(e.action, e.action),
            from_status=e.from_status,
            to_status=e.to_status,
            actor=e.actor.display_name(),
            at=e.at,
            note=e.note,
        )  # fmt: skip
        for e in events
    ]
