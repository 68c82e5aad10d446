from common.menu import MenuEntry, register
from orgs import scope

register(MenuEntry("首页", "home", "house", order=0, tab=True))
register(MenuEntry("人员", "people", "people", order=10, tab=True, visible=lambda u: scope.can(u, "roster")))
register(MenuEntry("组织", "org_tree", "diagram-3", order=11, visible=lambda u: scope.can(u, "roster")))
register(MenuEntry("接口令牌", "api_tokens", "key", order=95))
register(MenuEntry("我的文件", "generated_files", "folder2-open", order=96))
