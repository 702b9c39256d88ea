"""``stage_reviewed``: sent inside the transaction of every review action (submit, approve,
return, reopen), so that other apps (the e-mail notices) can act once it commits, without
this package knowing them.

Arguments: ``review`` (the updated :class:`~kpis.models.StageReview`), ``action``
(``"submitted"``, ``"approved"``, ``"returned"``, ``"reopened"``), ``user`` (who acted) and
``missing`` (how many figures were still missing).
"""

from django.dispatch import Signal

stage_reviewed = Signal()
