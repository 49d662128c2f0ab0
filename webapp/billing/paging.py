"""Paging the sections of the customer and account pages: each section has its own page
parameter (?bills=2&payments=1), so paging one section keeps the others where they were."""
from django.core.paginator import Page, Paginator

PER_PAGE = 20


def page(request, rows, param, *, per_page=PER_PAGE, default=1, count=None):
    """The page of `rows` (a queryset: LIMIT/OFFSET and a COUNT, never every row) named by the
    query parameter `param` (`default` when absent: a number or "last"). `count`: the number of
    rows when the caller has it already (a report's totals query counts them too), so that no
    second COUNT reads the view. The first page reads one row more than it shows: when that row
    is not there, the page is every row and its length is the count (no COUNT for a section
    that fits one page, the usual case on a customer's or an account's page). The Page gets
    `.param` and `.query` (the other parameters, for the links)."""
    paginator = Paginator(rows, per_page)
    if count is not None:
        paginator.count = count           # Paginator.count is a cached property
    number = request.GET.get(param, default)
    if number == "last":
        number = paginator.num_pages
    if count is None and str(number) == "1":
        first = list(rows[:per_page + 1])
        if len(first) <= per_page:
            paginator.count = len(first)
        p = Page(first[:per_page], 1, paginator)
    else:
        p = paginator.get_page(number)
    other = request.GET.copy()
    other.pop(param, None)
    p.param, p.query = param, other.urlencode()
    return p
