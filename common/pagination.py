"""Lists cut into pages, once: the paginator of the big lists (``CappedPaginator``), the page of any list
(``page_of``), the page of an API list (``api_page``) and the one pager partial (``common/pager.html``).

A big list is counted up to ``COUNT_CAP`` rows (3,000): past that it says "共 3000 条以上" and the pager stops at the
page that holds the 3,000th row, with a note to narrow the filters. Counting a million rows on every page, or walking
an index to page 300, costs more than any reader gains from it.
"""

import math

from django.core.paginator import Paginator

PAGE_SIZE = 30
COUNT_CAP = 3_000


def capped_count(queryset, cap=None):
    """(the number of rows, counted up to ``cap`` (``COUNT_CAP``); whether there are more): one query of at most
    cap + 1 rows."""
    cap = cap or COUNT_CAP
    n = queryset.order_by()[: cap + 1].count()
    return min(n, cap), n > cap


class CappedPaginator(Paginator):
    """Counts up to ``COUNT_CAP`` rows; past that ``capped`` is true and only the pages up to the cap are offered.

    ``newest``: the date field the list is ordered by (newest first, then id). The (id, date) of the matching rows
    are read first, at most 501 of them: when there are no more than 500 the filter is selective, and the page is
    cut from those in memory and read by id, because walking the date index backwards to find the newest 30 of a few
    scattered rows can read the whole table. Past 500 the rows are dense enough for the date index to find the
    page at once, and they are counted (up to the cap) without reading them.
    """

    FEW = 500

    def __init__(self, object_list, per_page, newest=None, cap=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.newest = newest
        self.cap = cap or COUNT_CAP

    def _keys(self):
        """The (id, date) of all matching rows when there are few, else None."""
        if not hasattr(self, "_rows"):
            self._rows = None
            if self.newest:
                rows = list(self.object_list.order_by().values_list("pk", self.newest)[: self.FEW + 1])
                self._rows = rows if len(rows) <= self.FEW else None
        return self._rows

    def _counted(self):
        if not hasattr(self, "_count_capped"):
            keys = self._keys()
            if keys is not None:
                self._count_capped = (len(keys), False)
            else:
                self._count_capped = capped_count(self.object_list, self.cap)
        return self._count_capped

    @property
    def count(self):
        """The rows counted, at most the cap (``capped`` says whether there are more)."""
        return self._counted()[0]

    @property
    def capped(self):
        return self._counted()[1]

    @property
    def num_pages(self):
        count = self.count
        if count == 0 and not self.allow_empty_first_page:
            return 0
        return max(1, math.ceil(count / self.per_page))

    def page(self, number):
        if not self.newest:
            return super().page(number)
        keys = self._keys()
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if keys is None:
            # the page's ids by the date index alone, then their rows with what they show (the rows skipped by the
            # offset are never joined)
            top = min(bottom + self.per_page, self.count)
            ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        else:
            ordered = sorted(keys, key=lambda row: (row[1], row[0]), reverse=True)
            ids = [pk for pk, _ in ordered[bottom : bottom + self.per_page]]
        rows = {obj.pk: obj for obj in self.object_list.order_by().filter(pk__in=ids)}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


def page_of(request, object_list, per_page=PAGE_SIZE, **kwargs):
    """The requested page (``?page=``) of ``object_list``; a missing, bad or too large number gives a real page."""
    return Paginator(object_list, per_page, **kwargs).get_page(request.GET.get("page"))


def api_page(queryset, page, per_page=50, cap=None):
    """(count up to ``cap``, whether it was capped, the rows of page ``page``) for an API list: ``count_capped``
    tells a client that "count" is a lower bound; pages past the cap are empty."""
    count, capped = capped_count(queryset, cap)
    start = (page - 1) * per_page
    stop = min(start + per_page, count)
    rows = list(queryset[start:stop]) if start < stop else []
    return count, capped, rows
