"""Which consortium a page shows when the address names none, or one the reader cannot see."""

from __future__ import annotations


def chosen_consortium(consortia: list, slug: str | None, *, with_content: str):
    """The consortium asked for (``slug``) among those the reader may see, else the first
    with something for the page to show (``with_content``: an annotated flag such as
    ``has_kpis``), else the first; ``None`` when there is none."""
    for consortium in consortia:
        if consortium.slug == slug:
            return consortium
    return next(
        (item for item in consortia if getattr(item, with_content)),
        consortia[0] if consortia else None,
    )
