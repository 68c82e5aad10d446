"""Pages of the roster and the organisation tree. Thin: parse input, call a service, render."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from common.errors import DomainError, NotFound
from orgs import scope, services
from orgs.forms import PersonFilterForm, PersonForm, TransferForm
from orgs.models import SENSITIVE_FIELDS, JobType, OrgKind, OrgNode, Transfer, window_start

PAGE_SIZE = 50
TREE_DEPTH = 4


def client_ip(request):
    from common.client import client_ip as address

    return address(request)


def _person_or_404(user, pk):
    return services.get_person(user, pk)


def roster_filters(request):
    form = PersonFilterForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    return form, params


def org_filter_choices(user, selected_pk):
    """The 组织 filter as a drill-down, bounded whatever the tree size: the user's top nodes and their children,
    and, once a node is chosen, its ancestors and its children."""
    visible = OrgNode.objects.visible_to(user).exclude(kind=OrgKind.PARTY_GROUP)
    top = visible.order_by("depth").values_list("depth", flat=True).first()
    if top is None:
        return []
    q = Q(depth__lte=top + 1)
    selected = visible.filter(pk=selected_pk).first() if selected_pk else None
    if selected:
        q |= Q(path__in=selected.ancestor_paths()) | Q(path__startswith=selected.path, depth=selected.depth + 1)
    nodes = list(visible.filter(q).order_by("path")[:300])
    for node in nodes:
        node.indent = "\u3000" * (node.depth - top)
    return nodes


@login_required
def people(request):
    user = request.user
    if not scope.can(user, "roster"):
        # 党员 / 职工 see only their own record.
        if user.person_id:
            return redirect("person_detail", user.person_id)
        raise Http404
    form, params = roster_filters(request)
    recent = Transfer.objects.filter(person=OuterRef("pk"), date__gte=window_start(settings.HONGLING_TRANSFER_DAYS))
    qs = (
        services.filter_people(user, params)
        .select_related("org", "job_type")
        .annotate(recently_transferred=Exists(recent))
        .order_by("emp_no", "pk")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    new_since = window_start(settings.HONGLING_NEW_HIRE_DAYS)
    context = {
        "form": form,
        "page": page,
        "new_since": new_since,
        "orgs": org_filter_choices(user, params.get("org")),
        "job_types": JobType.objects.all(),
        "query": request.GET.copy(),
        "can_manage": scope.can(user, "manage_people"),
        "can_sensitive": scope.can(user, "sensitive"),
        "masked_phone": True,
    }
    query = request.GET.copy()
    query.pop("page", None)
    context["querystring"] = query.urlencode()
    template = "orgs/people.html#results" if request.htmx and not request.htmx.boosted else "orgs/people.html"
    return render(request, template, context)


@login_required
@require_POST
def people_export(request):
    """The roster list as filtered on the page, as .xlsx made in the background (``orgs.roster_excel``); the file's
    page follows. Sensitive columns only with ?sensitive=1 for a role that holds them, each person logged."""
    from common import export

    if not scope.can(request.user, "roster"):
        raise Http404
    params = {key: value for key, value in request.GET.items() if key not in ("page", "ip")}
    params["ip"] = client_ip(request)
    return export.start_ledger(request, "roster_export", params=params)


@login_required
def person_detail(request, pk):
    user = request.user
    person = _person_or_404(user, pk)
    allowed = services.sensitive_fields_for(user, person)
    context = {
        "person": person,
        "transfers": person.transfers.select_related("from_job", "to_job", "from_org", "to_org", "recorded_by"),
        "sensitive": [(f, SENSITIVE_FIELDS[f], services.mask(getattr(person, f))) for f in allowed],
        "can_manage": scope.can(user, "manage_people", person.org),
        "can_manage_account": scope.can(user, "manage_accounts", person.org),
        "can_audit": scope.can(user, "audit", person.org),
        "history": services.person_history(user, person),
    }
    return render(request, "orgs/person_detail.html", context)


@login_required
def person_sensitive(request, pk):
    """Reveal the sensitive fields (HTMX), logging who saw what."""
    person = _person_or_404(request.user, pk)
    shown = services.reveal_sensitive(request.user, person, via="page", ip=client_ip(request))
    if not shown:
        raise Http404
    rows = [(SENSITIVE_FIELDS[f], v) for f, v in shown.items()]
    return render(request, "orgs/person_detail.html#sensitive-values", {"rows": rows, "person": person})


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request):
    user = request.user
    if not scope.can(user, "manage_people"):
        raise Http404
    form = PersonForm(request.POST or None, org_choices=services.manageable_orgs(user))
    if request.method == "POST":
        try:
            person = services.create_person(user, request.POST)
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, f"已新增 {person}")
            return redirect("person_detail", person.pk)
    return render(request, "orgs/person_form.html", {"form": form, "title": "新增职工"})


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request, pk):
    user = request.user
    person = _person_or_404(user, pk)
    if not scope.can(user, "manage_people", person.org):
        raise Http404
    form = PersonForm(request.POST or None, instance=person, org_choices=services.manageable_orgs(user))
    form.fields["job_type"].disabled = True
    form.fields["org"].disabled = True
    form.fields["job_type"].help_text = form.fields["org"].help_text = "工种和班组的变动请用“转岗”办理"
    if request.method == "POST":
        try:
            person = services.update_person(user, person, request.POST.dict())
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("person_detail", person.pk)
    return render(request, "orgs/person_form.html", {"form": form, "title": f"编辑 {person}", "person": person})


@login_required
@require_http_methods(["GET", "POST"])
def person_transfer(request, pk):
    user = request.user
    person = _person_or_404(user, pk)
    if not scope.can(user, "manage_people", person.org):
        raise Http404
    form = TransferForm(request.POST or None, person=person, org_choices=services.manageable_orgs(user))
    if request.method == "POST":
        try:
            services.transfer_person(user, person, request.POST)
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, f"{person.name} 转岗已登记")
            return redirect("person_detail", person.pk)
    return render(request, "orgs/person_transfer.html", {"form": form, "person": person})


def _attach_errors(form, exc):
    """Show a service's field errors next to the fields, keeping what the user typed."""
    if form.is_bound:
        form.full_clean()  # run the form's own validation once
    for field, msgs in exc.message_dict.items():
        target = field if field in form.fields else None
        for msg in msgs:
            if msg not in form.errors.get(target or "__all__", []):
                form.add_error(target, msg)


# ---------------------------------------------------------------- organisation tree


@login_required
@require_http_methods(["GET", "POST"])
def org_tree(request):
    user = request.user
    visible = OrgNode.objects.visible_to(user)
    root = None
    if request.GET.get("root"):
        root = _node_or_404(user, request.GET["root"])
        visible = visible.filter(path__startswith=root.path)
    if request.method == "POST" and request.POST.get("action") == "add_root":
        try:
            created = services.add_root(
                user, request.POST.get("name"), request.POST.get("kind"), request.POST.get("code", "")
            )
        except ValidationError as exc:
            messages.error(request, "；".join(m for msgs in exc.message_dict.values() for m in msgs))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已建立 {created.name}")
        return redirect("org_tree")
    top = visible.order_by("depth").values_list("depth", flat=True).first()
    if top is None:
        if not user.is_superuser:
            raise Http404
        top = 1
    # A large group's tree is shown TREE_DEPTH levels at a time; deeper nodes open on their own page.
    nodes = list(visible.filter(depth__lte=top + TREE_DEPTH - 1).order_by("path"))
    counts = services.head_counts(nodes)
    can_manage = {n.pk for n in nodes if scope.can(user, "manage_org", n)}
    tree = _nest(nodes)
    deepest = top + TREE_DEPTH - 1
    context = {
        "tree": tree,
        "counts": counts,
        "can_manage": can_manage,
        "root": root,
        "deepest": deepest,
        "root_kinds": [(k, OrgKind(k).label) for k in _allowed_under(None)] if user.is_superuser else [],
    }
    return render(request, "orgs/tree.html", context)


def _nest(nodes):
    """[(node, children)] from a path-ordered list; nodes whose parent is not visible become roots."""
    by_path = {}
    roots = []
    for node in nodes:
        entry = (node, [])
        parent = by_path.get(node.path[: -node.steplen])
        (parent[1] if parent else roots).append(entry)
        by_path[node.path] = entry
    return roots


@login_required
@require_http_methods(["GET", "POST"])
def org_node(request, pk):
    """Manage one node: rename, add a child, move (asking first when people move with it), delete.
    The mine's 党委 (组织部) and the administrators of a level manage the tree below their node."""
    user = request.user
    node = _node_or_404(user, pk)
    if not scope.can(user, "manage_org", node):
        raise Http404
    action = request.POST.get("action")
    typed = request.POST if request.method == "POST" else {}
    head_count = services.head_counts([node])[node.pk]
    error, confirm_move = None, None
    if request.method == "POST":
        try:
            if action == "rename":
                services.rename_node(user, node, request.POST.get("name"), request.POST.get("code", node.code))
                messages.success(request, "已保存名称和编码")
            elif action == "add_child":
                child = services.add_child(
                    user,
                    node,
                    request.POST.get("child-name"),
                    request.POST.get("child-kind"),
                    request.POST.get("child-code", ""),
                )
                messages.success(request, f"已新增 {child.name}")
            elif action == "move":
                target = _node_or_404(user, request.POST.get("parent"))
                services.check_move(user, node, target)
                if head_count and request.POST.get("confirm") != "1":
                    confirm_move = target  # people move with it: ask before
                else:
                    services.move_node(user, node, target)
                    moved = f",{head_count} 人随之移动" if head_count else ""
                    messages.success(request, f"已移到 {target.name} 下{moved}")
            elif action == "delete":
                parent = node.get_parent()
                services.delete_node(user, node)
                messages.success(request, "已删除")
                return redirect("org_node", parent.pk) if parent else redirect("org_tree")
            else:
                raise Http404
            if confirm_move is None:
                return redirect("org_node", node.pk)
        except ValidationError as exc:
            error = "；".join(m for msgs in exc.message_dict.values() for m in msgs)
        except DomainError as exc:
            error = exc.message
    visible = list(OrgNode.objects.visible_to(user, "manage_org").order_by("path"))
    names = {n.path: n.name for n in visible}
    parent_path = node.path[: -OrgNode.steplen]
    move_targets = [
        (n, _path_label(n, names), n.path == parent_path)
        for n in visible
        if not n.path.startswith(node.path) and node.kind in _allowed_under(n.kind)
    ]
    context = {
        "node": node,
        "ancestors": node.get_ancestors(),
        "children": node.get_children(),
        "typed": typed if action else {},
        "action": action,
        "child_kinds": [(k, OrgKind(k).label) for k in _allowed_under(node.kind)],
        "move_targets": move_targets,
        "confirm_move": confirm_move,
        "error": error,
        "head_count": head_count,
    }
    status = 409 if error else 200
    return render(request, "orgs/node.html", context, status=status)


def _path_label(node, names):
    """'云杉煤矿 › 综采一区': a node named with the nodes above it (the group left out), so two 综采一区 differ."""
    step = OrgNode.steplen
    parts = [names[node.path[:end]] for end in range(step, len(node.path) + 1, step) if node.path[:end] in names]
    if len(parts) > 1 and len(node.path) > step:
        parts = parts[1:] if len(parts) > 2 else parts
    return " › ".join(parts)


def _allowed_under(kind):
    from orgs.models import ALLOWED_CHILDREN

    return sorted(ALLOWED_CHILDREN.get(kind, set()), key=lambda k: list(OrgKind.values).index(k))


def _node_or_404(user, pk):
    try:
        return services.get_node(user, int(pk))
    except (NotFound, TypeError, ValueError):
        raise Http404
