"""Whether a user may open a drill-down link (a list page of another module with filters): a figure links to the
records behind it only for a user that page answers (the crawl's rule: no link to a page the role cannot open)."""

from orgs import scope

# list page prefix -> (capability, contents: needs a mine of the user's own and is closed to a superuser by that flag
# alone, as the care file and the diary are — SPEC §7.2)
PAGES = (
    ("/hazards/", "hazards", False),
    ("/violations/", "violations", False),
    ("/vanguard/", "vanguard", False),
    ("/frontline/diary/", "frontline_diary", True),
    ("/frontline/urgent/", "frontline", False),
    ("/training/branch/", "training_results", False),
    ("/scorecard/records/", "training_results", False),
    ("/care/", "care_read", True),
    ("/selfcheck/", "selfcheck", False),
    ("/leadership/", "leadership", True),
    ("/stability/", "stability_read", True),
)


def may_open(user, url):
    if not url:
        return False
    for prefix, capability, needs_mine in PAGES:
        if url.startswith(prefix):
            if not scope.can(user, capability):
                return False
            if needs_mine:
                return not user.is_superuser and scope.mine_of(user) is not None
            return True
    return False  # a page this table does not know: no link rather than one that may not open
