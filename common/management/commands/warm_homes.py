from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from common import homecache


class Command(BaseCommand):
    help = "一天开始前算好近期登录过的用户的首页(保留在 HONGLING_CACHE_URL 的 Redis 里,各服务进程共用)"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7, help="只算这些天内登录过的用户(默认 7)")

    def handle(self, *args, days=7, **options):
        if not homecache.enabled():
            self.stdout.write("首页缓存已关闭(HONGLING_HOME_CACHE=0),不用预热")
            return
        if not homecache.shared():
            self.stdout.write(
                "首页缓存在每个服务进程自己的内存里(未设 HONGLING_CACHE_URL):这里算好的首页到不了服务进程,未预热"
            )
            return
        from django.contrib.auth import get_user_model

        User = get_user_model()  # noqa: N806
        since = timezone.now() - timedelta(days=days)
        users = User.objects.filter(is_active=True, last_login__gte=since).select_related("person").order_by("pk")

        def progress(done, failed):
            self.stdout.write(f"已算好 {done} 人的首页,{failed} 人失败")

        done, failed = homecache.warm(users.iterator(chunk_size=200), log=progress)
        self.stdout.write(f"已算好 {done} 人的首页" + (f",{failed} 人失败(见日志)" if failed else ""))
