"""Confirm a pending grant of a content-reading role when the mine has no second committee member."""

from django.core.management.base import BaseCommand, CommandError

from common.errors import DomainError
from orgs import grant_services
from orgs.models import GrantStatus, PendingRoleGrant


class Command(BaseCommand):
    help = "确认待生效的角色授予(本矿党委没有第二位成员时由服务器管理员执行);不带编号列出待确认的授予"

    def add_arguments(self, parser):
        parser.add_argument("grant_id", nargs="?", type=int)
        parser.add_argument("--note", default="", help="确认依据:谁、何时、为何要求授予")

    def handle(self, grant_id=None, note="", **options):
        if grant_id is None:
            for g in PendingRoleGrant.objects.filter(status=GrantStatus.PENDING).select_related("user", "org"):
                others = grant_services.confirmers(g).count()
                self.stdout.write(f"{g.pk}\t{g}\t可确认的党委成员 {others} 人")
            return
        grant = PendingRoleGrant.objects.filter(pk=grant_id).first()
        if grant is None:
            raise CommandError(f"没有编号为 {grant_id} 的授予")
        if grant_services.confirmers(grant).exists():
            raise CommandError("本矿党委有其他成员可以确认,请由其在“角色授予确认”页面确认")
        try:
            grant, _ = grant_services.confirm_by_operator(grant, note)
        except DomainError as exc:
            raise CommandError(exc.message)
        self.stdout.write(f"已生效:{grant}")
