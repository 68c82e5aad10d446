"""Pages of the Excel import (see ``common/imports.py``): upload, template, progress, preview, confirm."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from common import imports
from common.errors import Conflict, NotFound
from common.excel import XLSX_CONTENT_TYPE, ExcelError, template_bytes, xlsx_response


def _importer_or_404(kind, user):
    importer = imports.get_importer(kind)
    targets = imports.target_choices(importer, user)
    return importer, targets


def _job_or_404(user, pk):
    return imports.get_job(user, pk)


@login_required
def upload(request, kind):
    importer, targets = _importer_or_404(kind, request.user)
    error = ""
    selected = targets[0].pk
    if request.method == "POST":
        selected = request.POST.get("target") or selected
        target = next((t for t in targets if str(t.pk) == str(selected)), None)
        upload = request.FILES.get("file")
        if target is None:
            error = "请选择导入到哪个组织"
        elif upload is None:
            error = "请选择要上传的 .xlsx 文件"
        elif not upload.name.lower().endswith(".xlsx"):
            error = "只接受 .xlsx 文件(Excel 2007 及以后的格式);.xls 请先另存为 .xlsx"
        else:
            try:
                job = imports.start_import(request.user, kind, upload, target=target)
            except ExcelError as exc:
                error = exc.message
            else:
                return redirect("import_job", job.pk)
    recent = imports.jobs_of(request.user).filter(kind=kind).select_related("target")[:5]
    context = {"importer": importer, "targets": targets, "selected": str(selected), "error": error, "recent": recent}
    return render(request, "common/import_upload.html", context, status=422 if error else 200)


@login_required
def template(request, kind):
    importer, _ = _importer_or_404(kind, request.user)
    content = template_bytes(importer.title, importer.columns, importer.example_rows, importer.instructions)
    return xlsx_response(f"{importer.title}导入模板.xlsx", content)


@login_required
def job(request, pk):
    job = _job_or_404(request.user, pk)
    importer = imports.get_importer(job.kind)
    context = {
        "job": job,
        "importer": importer,
        "back_url": reverse(importer.back_url_name),
        "error_file": imports.has_error_file(job),
    }
    if request.htmx and request.GET.get("poll"):
        return render(request, "common/import_job.html#job-status", context)
    return render(request, "common/import_job.html", context)


@login_required
@require_POST
def confirm(request, pk):
    job = _job_or_404(request.user, pk)
    try:
        imports.confirm(request.user, job)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("import_job", job.pk) if not request.htmx else HttpResponse(exc.message, status=409)
    return redirect("import_job", job.pk)


@login_required
@require_POST
def cancel(request, pk):
    job = _job_or_404(request.user, pk)
    try:
        imports.cancel(request.user, job)
    except Conflict as exc:
        messages.error(request, exc.message)
    return redirect("import_upload", job.kind)


@login_required
def error_file(request, pk):
    job = _job_or_404(request.user, pk)
    try:
        handle = imports.annotated_errors(job)
    except (NotFound, ExcelError):
        raise Http404
    stem = job.original_name.rsplit(".", 1)[0]
    return FileResponse(handle, as_attachment=True, filename=f"{stem}-错误标注.xlsx", content_type=XLSX_CONTENT_TYPE)
