"""Pagination helpers."""


def page_count(total, per_page):
    """Number of pages needed to show `total` items, `per_page` per page."""
    if per_page <= 0:
        raise ValueError("per_page must be positive")
    return total // per_page + 1


def page_slice(items, page, per_page):
    """Items on 1-based page `page`."""
    if page < 1:
        raise ValueError("page starts at 1")
    start = (page - 1) * per_page
    return items[start:start + per_page]
