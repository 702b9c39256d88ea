"""Month names as the portal's languages write them inside a date.

Italian writes months in lower case ("6 dicembre 2026"); Django's own Italian catalogue
capitalises them ("Dicembre"), as for a month on its own. The names are listed here so
that the portal's catalogue, which Django reads before its own (``LOCALE_PATHS``),
carries them: ``F`` in a date format (``DATE_FORMAT = "j F Y"``) then speaks as an
Italian or Swedish reader writes.
"""

from django.utils.translation import gettext_noop

MONTH_NAMES = (
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
)
