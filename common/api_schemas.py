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
    data: dict


def events_out(events, labels=None):
    """``events``: rows with action, from_status, to_status, actor (select_related with its person), at, note, and
    maybe data; labelled already (``common.workflow.Machine.timeline``) or by ``labels``."""
    labels = labels or {}
    return [
        EventOut(
            action=e.action,
            label=getattr(e, "label", None) or labels.get(e.action, e.action),
            from_status=getattr(e, "from_status", ""),
            to_status=getattr(e, "to_status", ""),
            actor=e.actor.display_name(),
            at=e.at,
            note=e.note,
            data=getattr(e, "data", None) or {},
        )  # fmt: skip
        for e in events
    ]
