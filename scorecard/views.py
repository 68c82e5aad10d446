from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def index(request):
    return render(request, "scorecard/index.html", {})


@login_required
def evaluation_index(request):
    return render(request, "scorecard/index.html", {})
