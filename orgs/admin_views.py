"""Administration pages: accounts and roles, the audit log, the sensitive-field view log.

Thin: parse input, call ``orgs.services`` / ``orgs.account_services``, render. Only users holding
``manage_accounts`` (accounts) or ``audit`` (logs) somewhere reach these pages; everything else answers 404.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from common.errors import Conflict, DomainError, Forbidden, NotFound
from orgs import account_services as acc
from orgs import grant_services, lockout, services
from orgs.models import OrgNode, Role, User

PAGE_SIZE = 50

STATUS_CHOICES = [("", "全部状态"), ("active", "正常"), ("disabled", "已停用"), ("must_change", "待改密码")]
# auditlog's LogEntry.Action values
ACTION_LABELS = {0: "新增", 1: "修改", 2: "删除", 3: "访问"}
VIA_CHOICES = [("", "全部途径"), ("page", "页面"), ("api", "接口"), ("export", "导出")]


def _select(**attrs):
    return forms.Select(attrs={"class": "form-select", **attrs})


def _text(**attrs):
    return forms.TextInput(attrs={"class": "form-control", **attrs})


def _date(**attrs):
    return forms.DateInput(attrs={"class": "form-control", "type": "date", **attrs})


class AccountSearchForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, widget=_text(placeholder="工号 / 姓名 / 用户名", type="search"))
    role = forms.ChoiceField(label="角色", required=False, choices=[("", "全部角色")] + Role.choices, widget=_select())
    status = forms.ChoiceField(label="状态", required=False, choices=STATUS_CHOICES, widget=_select())


class RoleAssignForm(forms.Form):
    role = forms.ChoiceField(
        label="角色",
        choices=[("", "请选择角色")] + Role.choices,
        widget=_select(),
        error_messages={"required": "请选择角色", "invalid_choice": "未知角色"},
    )
    org = forms.ModelChoiceField(
        label="组织",
        queryset=OrgNode.objects.none(),
        widget=_select(),
        error_messages={"required": "请选择组织", "invalid_choice": "该组织不在您的管理范围内"},
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        nodes = acc.assignable_orgs(actor)
        self.fields["org"].queryset = nodes
        top = min((n.depth for n in nodes), default=1)
        self.fields["org"].label_from_instance = lambda n: (
            "\u3000" * (n.depth - top) + f"{n.name}({n.get_kind_display()})"
        )


class AuditSearchForm(forms.Form):
    actor = forms.CharField(label="操作人", required=False, widget=_text(placeholder="工号 / 姓名 / 用户名"))
    content_type = forms.TypedChoiceField(
        label="对象类型", required=False, coerce=int, empty_value=None, widget=_select()
    )
    object_id = forms.IntegerField(
        label="对象编号",
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"class": "form-control", "placeholder": "编号"}),
        error_messages={"invalid": "编号应为数字", "min_value": "编号应为正整数"},
    )
    object_text = forms.CharField(label="对象名称", required=False, widget=_text(placeholder="对象名称包含"))
    action = forms.ChoiceField(label="操作", required=False, widget=_select())
    date_from = forms.DateField(
        label="起始日期", required=False, widget=_date(), error_messages={"invalid": "日期格式不正确"}
    )
    date_to = forms.DateField(
        label="截止日期", required=False, widget=_date(), error_messages={"invalid": "日期格式不正确"}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["content_type"].choices = [("", "全部对象类型")] + [
            (ct.pk, label) for ct, label in acc.audited_models()
        ]
        self.fields["action"].choices = [("", "全部操作")] + [(str(k), v) for k, v in ACTION_LABELS.items()]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "截止日期不能早于起始日期")
        return data


class SensitiveSearchForm(forms.Form):
    person = forms.CharField(label="被查看人", required=False, widget=_text(placeholder="工号 / 姓名"))
    person_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    reader = forms.CharField(label="查看人", required=False, widget=_text(placeholder="工号 / 姓名 / 用户名"))
    via = forms.ChoiceField(label="途径", required=False, choices=VIA_CHOICES, widget=_select())
    date_from = forms.DateField(
        label="起始日期", required=False, widget=_date(), error_messages={"invalid": "日期格式不正确"}
    )
    date_to = forms.DateField(
        label="截止日期", required=False, widget=_date(), error_messages={"invalid": "日期格式不正确"}
    )


def _querystring(request):
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _require(cap_ok):
    if not cap_ok:
        raise Http404


# ---------------------------------------------------------------- accounts


@login_required
def accounts_admin(request):
    actor = request.user
    _require(acc.can_manage_accounts(actor))
    form = AccountSearchForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    users = acc.search_accounts(actor, params.get("q"), params.get("role"), params.get("status"))
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    locked = lockout.locked_user_ids([u.pk for u in rows])
    for u in rows:
        u.is_locked = u.pk in locked
    context = {"form": form, "page": page, "rows": rows, "querystring": _querystring(request)}
    return render(request, "orgs/accounts/list.html", context)


def _account_or_404(actor, pk):
    return acc.get_account(actor, pk)


def _detail_context(actor, target, role_form=None):
    return {
        "target": target,
        "assignments": acc.assignments_of(target),
        "role_form": role_form or RoleAssignForm(actor=actor),
        "is_locked": bool(lockout.locked_user_ids([target.pk])),
        "is_self": target.pk == actor.pk,
        "can_reset": actor.is_superuser or not target.is_superuser,
        "pending_grants": grant_services.pending_of_target(target),
    }


@login_required
def account_detail(request, pk):
    actor = request.user
    _require(acc.can_manage_accounts(actor))
    target = _account_or_404(actor, pk)
    return render(request, "orgs/accounts/detail.html", _detail_context(actor, target))


def _error_page(request, actor, target, exc):
    """A service refused: show the reason on the account page with the service's status (403/409)."""
    context = _detail_context(actor, target)
    context["error"] = exc.message
    return render(request, "orgs/accounts/detail.html", context, status=exc.status)


def _password_page(request, target, password, created):
    response = render(
        request, "orgs/accounts/password.html", {"target": target, "password": password, "created": created}
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def account_reset(request, pk):
    actor = request.user
    _require(acc.can_manage_accounts(actor))
    target = _account_or_404(actor, pk)
    try:
        password = services.reset_password(actor, target)
    except (Forbidden, Conflict) as exc:  # NotFound rises: the 404 page (common.middleware)
        return _error_page(request, actor, target, exc)
    target.refresh_from_db()
    return _password_page(request, target, password, created=False)


@login_required
@require_POST
def account_active(request, pk):
    actor = request.user
    _require(acc.can_manage_accounts(actor))
    target = _account_or_404(actor, pk)
    active = request.POST.get("active") == "1"
    try:
        services.set_active(actor, target, active)
    except (Forbidden, Conflict) as exc:  # NotFound rises: the 404 page (common.middleware)
        return _error_page(request, actor, target, exc)
    messages.success(request, "账号已启用" if active else "账号已停用,该账号无法再登录")
    return redirect("account_detail", target.pk)


@login_required
@require_POST
def account_role_add(request, pk):
    actor = request.user
    _require(acc.can_manage_accounts(actor))
    target = _account_or_404(actor, pk)
    form = RoleAssignForm(request.POST, actor=actor)
    if form.is_valid():
        try:
            _, pending = grant_services.request_grant(
                actor, target, form.cleaned_data["role"], form.cleaned_data["org"]
            )
        except NotFound:
            form.add_error("org", "该组织不在您的管理范围内")
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                for msg in msgs:
                    form.add_error(field if field in form.fields else None, msg)
        except DomainError as exc:
            return _error_page(request, actor, target, exc)
        else:
            role_label = Role(form.cleaned_data["role"]).label
            if pending is not None:
                messages.warning(
                    request,
                    f"{role_label} @ {form.cleaned_data['org'].name} 可查看帮教、谈心或民情内容,"
                    "已通知本矿党委,须另一位党委成员确认后生效",
                )
            else:
                messages.success(request, f"已授予 {role_label} @ {form.cleaned_data['org'].name}")
            return redirect("account_detail", target.pk)
    return render(request, "orgs/accounts/detail.html", _detail_context(actor, target, role_form=form))


@login_required
@require_POST
def account_role_revoke(request, pk, assignment_pk):
    actor = request.user
    _require(acc.can_manage_accounts(actor))
    target = _account_or_404(actor, pk)
    try:
        assignment = acc.get_assignment(actor, target, assignment_pk)
        label = str(assignment)
        services.revoke_role(actor, assignment)
    except (Forbidden, Conflict) as exc:  # NotFound rises: the 404 page (common.middleware)
        return _error_page(request, actor, target, exc)
    messages.success(request, f"已撤销 {label}")
    return redirect("account_detail", target.pk)


@login_required
def account_new(request):
    """People in scope without an account, searchable; each can be given one."""
    actor = request.user
    _require(acc.can_manage_accounts(actor))
    q = request.GET.get("q", "")
    people = acc.people_without_account(actor, q)
    return render(request, "orgs/accounts/new.html", {"people": people, "q": q})


@login_required
@require_http_methods(["GET", "POST"])
def account_for_person(request, person_pk):
    """The person page's "账号" action: their account, or a confirmation to open one."""
    actor = request.user
    _require(acc.can_manage_accounts(actor))
    person = acc.get_person_for_account(actor, person_pk)
    existing = User.objects.filter(person=person).first()
    if existing is not None:
        if request.method == "POST":
            messages.info(request, "该职工已有账号;如需新密码请使用“重置密码”。")
        return redirect("account_detail", existing.pk)
    if request.method == "POST":
        try:
            user, password = services.create_account(actor, person)
        except (Forbidden, Conflict) as exc:  # NotFound rises: the 404 page (common.middleware)
            messages.error(request, exc.message)
            return redirect("account_new")
        acc.log_account_event(user, "已设置(临时密码)")
        return _password_page(request, user, password, created=True)
    return render(request, "orgs/accounts/confirm_create.html", {"person": person})


# ---------------------------------------------------------------- audit


@login_required
def audit_log(request):
    actor = request.user
    _require(acc.can_audit(actor))
    form = AuditSearchForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    entries = acc.search_audit(actor, params)
    if form.is_bound and not form.is_valid():
        entries = entries.none()  # show the field errors, not an unfiltered list
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = acc.describe_changes(list(page.object_list))
    for row in rows:
        row.action_label = ACTION_LABELS.get(row.action, row.action)
    context = {"form": form, "page": page, "rows": rows, "querystring": _querystring(request), "tab": "audit"}
    return render(request, "orgs/audit/log.html", context)


@login_required
def sensitive_log(request):
    actor = request.user
    _require(acc.can_audit(actor))
    form = SensitiveSearchForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    subject = None
    if params.get("person_id"):
        subject = acc.get_audited_person(actor, params["person_id"])
    rows_qs = acc.search_sensitive(actor, params)
    if form.is_bound and not form.is_valid():
        rows_qs = rows_qs.none()
    page = Paginator(rows_qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for row in rows:
        row.field_labels = acc.field_labels(row.fields)
        row.via_label = dict(VIA_CHOICES).get(row.via, row.via)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "subject": subject,
        "querystring": _querystring(request),
        "tab": "sensitive",
    }
    return render(request, "orgs/audit/sensitive.html", context)


# ---------------------------------------------------------------- role grants awaiting confirmation


@login_required
def role_grants(request):
    """Grants of content-reading roles this committee member may confirm or refuse."""
    _require(grant_services.is_committee_member(request.user))
    grants = grant_services.pending_for(request.user)
    return render(request, "orgs/accounts/grants.html", {"grants": grants})


@login_required
@require_POST
def role_grant_decide(request, pk):
    try:
        grant = grant_services.get_pending(request.user, pk)
        if request.POST.get("decision") == "reject":
            grant_services.reject_grant(request.user, grant)
            messages.info(request, f"已拒绝:{grant.user.display_name()} {grant.get_role_display()}")
        else:
            grant_services.confirm_grant(request.user, grant)
            messages.success(request, f"已确认,{grant.user.display_name()} 的 {grant.get_role_display()} 已生效")
    except NotFound:
        raise  # out of scope: the 404 page (common.middleware), not a message
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("role_grants")


@login_required
def lockouts(request):
    """Who is failing to log in, and from where: the secretary (their branch) and the admin (their accounts)."""
    _require(lockout.can_see_lockouts(request.user))
    from django.conf import settings

    context = {
        "rows": lockout.lockouts_for(request.user),
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "pair_limit": settings.AXES_FAILURE_LIMIT,
        "person_limit": settings.LOGIN_FAILURE_LIMIT_PERSON,
    }
    return render(request, "orgs/accounts/lockouts.html", context)
