"""Pages of the files made in the background (see ``common/generated.py``): my files, progress, download."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render

from common import generated
from common.pagination import page_of


@login_required
def file_list(request):
    page = page_of(request, generated.files_of(request.user), per_page=20)
    context = {"page": page, "keep_days": settings.HONGLING_GENERATED_DAYS}
    return render(request, "common/generated_list.html", context)


@login_required
def file_detail(request, pk):
    job = generated.get(request.user, pk)
    if request.htmx and request.GET.get("poll"):
        return render(request, "common/generated_file.html#file-status", {"job": job})
    return render(request, "common/generated_file.html", {"job": job})


@login_required
def file_download(request, pk):
    job, handle = generated.open_download(request.user, pk)
    return FileResponse(handle, as_attachment=True, filename=job.filename)
