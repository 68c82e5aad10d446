from django.conf import settings
from django.urls import reverse

from common.menu import entries_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"menu": []}
    path = request.path
    menu = []
    for entry in entries_for(user):
        url = reverse(entry.url_name)
        active = path == url if url == "/" else path.startswith(url)
        menu.append({"label": entry.label, "url": url, "icon": entry.icon, "active": active, "tab": entry.tab})
    return {"menu": menu, "tabs": [m for m in menu if m["tab"]][:5]}


def demo_mark(request):
    """``demo_data``: the demo command has loaded demo data here (its flag file exists); the base template then shows
    the 演示数据 mark on every page. A file, not a query: the mark costs no database round trip."""
    return {"demo_data": settings.HONGLING_DEMO_FLAG.exists()}
