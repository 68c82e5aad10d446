"""Granting roles (issue 14, finding 1): nobody grants themself a role, and a role that reads care, diary or
petition contents takes effect only when a second member of that mine's committee confirms it.

Decision: confirmation, not only an announcement. An announcement after the fact tells the committee that an admin
*has already* read a care file; a confirmation stops the read. The pending grant is announced at once to the
committee (a 待办 for each member who may confirm it). A mine whose committee has one member (or none) besides
the person concerned is confirmed by the server operator: ``manage.py confirm_role_grant <id>``.
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from common.errors import Conflict, NotFound
from orgs import scope
from orgs.models import GrantStatus, OrgKind, OrgNode, PendingRoleGrant, Role, RoleAssignment, User

# capabilities that read the contents of care files, talks, 民情日记 and petitions (SPEC §7.2)
CONTENT_CAPABILITIES = ("care_read", "care_notes", "frontline_diary", "stability_read")


def roles_needing_confirmation():
    roles = set()
    for capability in CONTENT_CAPABILITIES:
        roles |= set(scope.SUBTREE_CAPABILITIES.get(capability, ()))
    return roles


def _mine_path(org):
    mine = org.ancestor_of_kind(OrgKind.MINE)
    return (mine or org).path


def _confirmers_q(org):
    """RoleAssignment rows of committee members who may confirm a grant at ``org``: committee of the same mine
    (any node inside it) or of a level above it (the group's committee)."""
    mine_path = _mine_path(org)
    above = [mine_path[: i * OrgNode.steplen] for i in range(1, len(mine_path) // OrgNode.steplen + 1)]
    return Q(role=Role.COMMITTEE) & (Q(org__path__startswith=mine_path) | Q(org__path__in=above))


def may_confirm(actor, grant):
    if actor.pk in (grant.requested_by_id, grant.user_id) or grant.status != GrantStatus.PENDING:
        return False
    return RoleAssignment.objects.filter(_confirmers_q(grant.org), user=actor).exists()


def confirmers(grant):
    """Accounts that may confirm the grant (its requester and the person concerned excluded)."""
    ids = RoleAssignment.objects.filter(_confirmers_q(grant.org)).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).exclude(pk__in=[grant.requested_by_id, grant.user_id])


@transaction.atomic
def request_grant(actor, target, role, org):
    """Grant ``role`` at ``org`` to ``target``. Returns ``(assignment, None)`` when it takes effect at once, or
    ``(None, pending)`` when a committee member must confirm it first."""
    from orgs import services

    if target.pk == actor.pk:
        raise Conflict("不能给自己授予角色;请由另一位管理员办理")
    if role not in roles_needing_confirmation():
        return services.assign_role(actor, target, role, org), None
    if not scope.can(actor, "manage_accounts", org):
        raise NotFound()
    target = services.get_managed_user(actor, target.pk)
    if RoleAssignment.objects.filter(user=target, role=role, org=org).exists():
        return RoleAssignment.objects.get(user=target, role=role, org=org), None
    pending, _ = PendingRoleGrant.objects.get_or_create(
        user=target, role=role, org=org, status=GrantStatus.PENDING, defaults={"requested_by": actor}
    )
    return None, pending


def _decide(grant, decider, status, note=""):
    grant = PendingRoleGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.status != GrantStatus.PENDING:
        raise Conflict(f"该授予已{grant.get_status_display()},不能再处理")
    grant.status = status
    grant.decided_by = decider
    grant.decided_note = note
    grant.decided_at = timezone.now()
    grant.save(update_fields=["status", "decided_by", "decided_note", "decided_at"])
    assignment = None
    if status == GrantStatus.CONFIRMED:
        assignment, _ = RoleAssignment.objects.get_or_create(user=grant.user, role=grant.role, org=grant.org)
        scope.clear_cache(grant.user)
    return grant, assignment


@transaction.atomic
def confirm_grant(actor, grant):
    if not may_confirm(actor, grant):
        if grant.status != GrantStatus.PENDING:
            raise Conflict(f"该授予已{grant.get_status_display()},不能再处理")
        raise NotFound()
    return _decide(grant, actor, GrantStatus.CONFIRMED)


@transaction.atomic
def reject_grant(actor, grant):
    if not may_confirm(actor, grant):
        if grant.status != GrantStatus.PENDING:
            raise Conflict(f"该授予已{grant.get_status_display()},不能再处理")
        raise NotFound()
    return _decide(grant, actor, GrantStatus.REJECTED)


@transaction.atomic
def confirm_by_operator(grant, note):
    """The server operator confirms (``manage.py confirm_role_grant``) when the mine has no second committee
    member; ``note`` says who asked for it."""
    if not (note or "").strip():
        raise Conflict("请写明确认依据(谁、何时、为何授予)")
    return _decide(grant, None, GrantStatus.CONFIRMED, note.strip()[:200])


def is_committee_member(actor):
    return actor.is_authenticated and any(role == Role.COMMITTEE for role, _ in scope.assignments_of(actor))


def pending_for(actor):
    """Pending grants the actor may confirm (as a committee member), oldest first."""
    if not actor.is_authenticated:
        return PendingRoleGrant.objects.none()
    committee_paths = [path for role, path in scope.assignments_of(actor) if role == Role.COMMITTEE]
    if not committee_paths:
        return PendingRoleGrant.objects.none()
    grants = PendingRoleGrant.objects.filter(status=GrantStatus.PENDING).exclude(Q(requested_by=actor) | Q(user=actor))
    grants = grants.select_related("user", "user__person", "org", "requested_by", "requested_by__person")
    return [g for g in grants.order_by("requested_at", "pk") if _covers(committee_paths, g.org)]


def _covers(committee_paths, org):
    mine_path = _mine_path(org)
    return any(p.startswith(mine_path) or mine_path.startswith(p) for p in committee_paths)


def pending_of_target(target):
    return list(
        PendingRoleGrant.objects.filter(user=target, status=GrantStatus.PENDING).select_related("org", "requested_by")
    )


def get_pending(actor, pk):
    grant = next((g for g in pending_for(actor) if str(g.pk) == str(pk)), None)
    if grant is None:
        raise NotFound()
    return grant


RESET_ANNOUNCED_DAYS = 3


def recent_resets_for(actor):
    """Password resets of accounts holding a content-reading role in the actor's mine (as a committee member),
    for ``RESET_ANNOUNCED_DAYS``: a reset used to log in as a 党委 member is seen by the rest of the committee."""
    from datetime import timedelta

    if not is_committee_member(actor):
        return []
    committee_paths = [path for role, path in scope.assignments_of(actor) if role == Role.COMMITTEE]
    since = timezone.now() - timedelta(days=RESET_ANNOUNCED_DAYS)
    holders = RoleAssignment.objects.filter(
        role__in=roles_needing_confirmation(), user__password_reset_at__gte=since
    ).exclude(user=actor)
    out = {}
    for assignment in holders.select_related("user", "user__person", "user__password_reset_by", "org"):
        if assignment.user_id not in out and _covers(committee_paths, assignment.org):
            out[assignment.user_id] = assignment.user
    return sorted(out.values(), key=lambda u: u.password_reset_at, reverse=True)
