"""The portal's settings for ``make bench`` only: its URLs plus the bench's anchors.

``bench/http_bench.py`` serves the portal with ``DJANGO_SETTINGS_MODULE=bench.settings``
so that the bare view and the bare template tables it compares the pages with run in
the same processes, through the same middleware. Production never loads this module
(``icc_portal/urls.py`` does not know these URLs).
"""

from icc_portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
