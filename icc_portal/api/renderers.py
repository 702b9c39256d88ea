"""The browsable API's renderer.

``REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"]`` names this module, and DRF imports it
while ``rest_framework.views`` is being loaded; it imports nothing that imports the views
(as :mod:`icc_portal.api.errors` does), or that would be imported half-done.
"""

from __future__ import annotations

from csp.constants import UNSAFE_INLINE
from rest_framework import renderers


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's browsable API, whose templates carry inline styles: its pages allow those.

    Everywhere else the Content-Security-Policy forbids inline styles; here DRF's own
    ``style=`` attributes (buttons floated right, highlighted code) need them. Scripts
    stay as strict as on every page: DRF's are all files.
    """

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            response._csp_update = {"style-src": [UNSAFE_INLINE]}
        return super().render(data, accepted_media_type, renderer_context)
