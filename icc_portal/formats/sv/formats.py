"""Swedish dates: 27 november 2026 23:51, short 2026-11-27."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
YEAR_MONTH_FORMAT = "b Y"  # nov 2026: month names are lower case here
MONTH_DAY_FORMAT = "j F"
TIME_FORMAT = "H:i"
