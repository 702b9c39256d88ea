"""What happened to a figure, in one vocabulary: the write service's outcomes, the bulk
write's results, the change feed, the imports' previews, the change pages and the docs.

``created``: it is new (to the reader, in the feed: entered, approved or published);
``updated``: it was there and changed; ``unchanged``: a write that stored nothing new;
``withdrawn``: the feed's reader may no longer see it (reopened, deleted, unpublished).
A shared word of several apps (changelog, kpis), so it lives below them all.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FigureChange(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")
    UNCHANGED = "unchanged", _("Unchanged")
    WITHDRAWN = "withdrawn", _("Withdrawn")
