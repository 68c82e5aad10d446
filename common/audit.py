"""The audit trail (SPEC §7.2: every create/update/delete with who, when, IP and the diff, searchable by admins).

django-auditlog records what goes through ``Model.save()``/``delete()``. What does not — a workflow's
compare-and-set ``QuerySet.update`` (``common.workflow``), an import's ``bulk_create``/``bulk_update`` — is written
here, with auditlog's own diff (its exclude and mask rules per model) so the admin's search shows it the same way.
"""

import copy

from django.conf import settings


def _json():
    return getattr(settings, "AUDITLOG_STORE_JSON_CHANGES", False)


def _registered(model):
    from auditlog.registry import auditlog

    return auditlog.contains(model)


def _actor(actor):
    """Who acted: the service's user; without one, the request's audit context (if any) fills it in."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        return actor
    return None


def _context():
    """(remote address, actor) of the request being served, if the audit middleware set them."""
    try:
        from auditlog.context import auditlog_value
    except ImportError:  # pragma: no cover - auditlog changed its internals
        return None, None
    context = auditlog_value.get(None)
    if not isinstance(context, dict):
        return None, None
    return context.get("remote_addr"), context.get("actor")


def audit_update(before, after, actor=None):
    """An "update" entry for a change written with ``QuerySet.update`` (which sends no signal). Models not
    registered with auditlog are skipped; so is a change auditlog's rules leave empty."""
    from auditlog.diff import model_instance_diff
    from auditlog.models import LogEntry

    if after is None or not _registered(type(after)):
        return None
    changes = model_instance_diff(before, after, use_json_for_changes=_json())
    if not changes:
        return None
    return LogEntry.objects.log_create(
        after, action=LogEntry.Action.UPDATE, changes=changes, actor=_actor(actor), force_log=True
    )


def snapshot(obj):
    """A copy of ``obj`` as it is now, to diff against after in-memory changes (``audit_bulk``'s ``updated``)."""
    return copy.copy(obj)


def audit_bulk(actor, created=(), updated=(), **additional_data):
    """Entries for rows written in bulk: ``created`` objects (with their pks) and ``updated`` pairs
    (before, after). One ``bulk_create`` of log entries; the request's IP when there is a request."""
    from auditlog.diff import model_instance_diff
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    remote_addr, context_actor = _context()
    who = _actor(actor) or context_actor
    now = timezone.now()
    entries = []

    def entry(obj, action, changes):
        return LogEntry(
            content_type=ContentType.objects.get_for_model(obj),
            object_pk=str(obj.pk),
            object_id=obj.pk if isinstance(obj.pk, int) else None,
            object_repr=str(obj)[:1000],
            action=action,
            changes=changes,
            actor=who,
            remote_addr=remote_addr,
            timestamp=now,
            additional_data=additional_data or None,
        )

    for obj in created:
        if _registered(type(obj)):
            entries.append(
                entry(obj, LogEntry.Action.CREATE, model_instance_diff(None, obj, use_json_for_changes=_json()))
            )
    for before, after in updated:
        if _registered(type(after)):
            changes = model_instance_diff(before, after, use_json_for_changes=_json())
            if changes:
                entries.append(entry(after, LogEntry.Action.UPDATE, changes))
    LogEntry.objects.bulk_create(entries, batch_size=1000)
    return len(entries)
