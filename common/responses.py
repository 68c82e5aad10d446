"""Answers every module's pages give the same way: a refused action (403 / 409, the reason in Chinese and a way back),
and a stored file (photo, attachment) served only after the caller has checked the user may see it."""

from django.http import FileResponse, Http404
from django.shortcuts import render


def refused(request, exc, back, back_label="查看当前状态"):
    """The page for a ``Forbidden`` or ``Conflict`` from a service: its message, its status, a link back."""
    return render(
        request,
        "common/refused.html",
        {"message": exc.message, "back": back, "back_label": back_label},
        status=exc.status,
    )


def stored_file(field_file, content_type=None, download_name=None):
    """A FileField's file; 404 when there is none. ``download_name``: offered as a download under that name; else shown
    inline with ``content_type``. Never sniffed into something else by the browser."""
    if not field_file:
        raise Http404
    if download_name:
        response = FileResponse(field_file.open("rb"), as_attachment=True, filename=download_name)
    else:
        response = FileResponse(field_file.open("rb"), content_type=content_type or "application/octet-stream")
        response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def new_form_token():
    import uuid

    return uuid.uuid4().hex


SIMILAR_MINUTES = 30  # a record like one the same person made this recently is asked about before it is saved


def submit_once(request, create, initial, similar=None):
    """The "new record" form every module has: GET shows ``initial`` (with a fresh form token); POST calls
    ``create()``, which makes one record per token (a double tap or a retry answers with the first one).

    Returns (record or None, data for the form, errors). Bad input keeps what was typed, with the messages by field;
    a stale form (another user's token) keeps what was typed under a fresh token, the reason in ``errors["__all__"]``;
    a user who may not create answers 404 (the page does not exist for them).
    ``similar(since)``: a record like this one the same user made since then, or None — the form then asks once
    before saving a second (the page keeps a hidden ``confirm_duplicate``)."""
    from django.core.exceptions import ValidationError

    from common.errors import Conflict, Forbidden

    if request.method != "POST":
        return None, {"token": new_form_token(), **initial}, {}
    if similar is not None and request.POST.get("confirm_duplicate") != "1":
        from datetime import timedelta

        from django.utils import timezone

        twin = similar(timezone.now() - timedelta(minutes=SIMILAR_MINUTES))
        # e.g. Back, then 保存 again: the restored form carries a new token (the same token is the same submission,
        # answered below with the record it made)
        if twin is not None and getattr(twin, "token", None) != request.POST.get("token"):
            data = request.POST.copy()
            data["confirm_duplicate"] = "1"
            minutes = max(1, int((timezone.now() - twin.created_at).total_seconds() // 60))
            message = f"您 {minutes} 分钟前刚登记过一条相同的记录。若确是另一条,请再点一次保存;否则不必重复登记。"
            return None, data, {"__all__": [message]}
    try:
        return create(), request.POST, {}
    except ValidationError as exc:
        return None, request.POST, exc.message_dict
    except Conflict as exc:
        data = request.POST.copy()
        data["token"] = new_form_token()
        return None, data, {"__all__": [exc.message]}
    except Forbidden:
        raise Http404


def form_status(errors):
    """200, or 409 for a stale form, or 422 for bad input."""
    return (409 if "__all__" in errors else 422) if errors else 200
