"""Date formats per language, one per kind of date (``FORMAT_MODULE_PATH``).

Every page prints a date with ``|date`` and no format (a day), ``|date:"DATETIME_FORMAT"``
(a moment), ``|date:"SHORT_DATE_FORMAT"`` (a day in a narrow column) or
``|date:"YEAR_MONTH_FORMAT"`` (a month, for plans and phases); the words come from the
active language. Numbers keep Django's formats for each language (``1.234,5`` in
Italian, ``1 234,5`` in Swedish). ``<input type="date">`` shows what the browser shows.
"""
