"""Answers every module's pages give the same way: a refused action (403 / 409, the reason in Chinese and a way back),
and a stored file (photo, attachment) served only after the caller has checked the user may see it."""
from django.http import FileResponse, Http404
from django.shortcuts import render


def refused(request, exc, back, back_label="查看当前状态"):
    """The page for a ``Forbidden`` or ``Conflict`` from a service: its message, its status, a link back."""
    return render(request, "common/refused.html", {"message": exc.message, "back": back, "back_label": back_label}, status=exc.status)


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
