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
