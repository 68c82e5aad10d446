"""Lists cut into pages, once: the paginator of the big lists (``CappedPaginator``), the page of any list
(``page_of``) and the one pager partial (``common/pager.html``)."""

from django.core.paginator import Paginator

PAGE_SIZE = 30
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts up to 10,000 rows: past that the list says "10000+" instead of counting a million rows on every page.

    ``newest``: the date field the list is ordered by (newest first, then id). The (id, date) of the matching rows
    are read first, at most 2,001 of them: when there are no more than 2,000 the filter is selective, and the page is
    cut from those in memory and read by id, because walking the date index backwards to find the newest 30 of a few
    scattered rows can read the whole table. Past 500 the rows are dense enough for the date index to find the
    page at once, and they are counted (up to 10,001) without reading them.
    """

    FEW = 500

    def __init__(self, object_list, per_page, newest=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.newest = newest

    def _keys(self):
        """The (id, date) of all matching rows when there are few, else None."""
        if not hasattr(self, "_rows"):
            self._rows = None
            if self.newest:
                rows = list(self.object_list.order_by().values_list("pk", self.newest)[: self.FEW + 1])
                self._rows = rows if len(rows) <= self.FEW else None
        return self._rows

    @property
    def count(self):
        if not hasattr(self, "_count"):
            keys = self._keys()
            self._count = len(keys) if keys is not None else self.object_list.order_by()[: COUNT_CAP + 1].count()
        return self._count

    @property
    def capped(self):
        return self.count > COUNT_CAP

    def page(self, number):
        if not self.newest:
            return super().page(number)
        keys = self._keys()
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if keys is None:
            # the page's ids by the date index alone, then their rows with what they show (the rows skipped by the
            # offset are never joined)
            ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        else:
            ordered = sorted(keys, key=lambda row: (row[1], row[0]), reverse=True)
            ids = [pk for pk, _ in ordered[bottom : bottom + self.per_page]]
        rows = {obj.pk: obj for obj in self.object_list.order_by().filter(pk__in=ids)}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


def page_of(request, object_list, per_page=PAGE_SIZE, **kwargs):
    """The requested page (``?page=``) of ``object_list``; a missing, bad or too large number gives a real page."""
    return Paginator(object_list, per_page, **kwargs).get_page(request.GET.get("page"))
