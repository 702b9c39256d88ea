"""The user's language follows the user: the profile's choice, on every device.

Django picks a request's language from the language cookie (then the browser's
``Accept-Language``), which lives in one browser only. A signed-in user's choice is kept
on their profile (:class:`notices.models.Profile`), so:

* at login (any login: the site's form, the admin's), the profile's language, if the user
  ever chose one, is written to the cookie of the browser they signed in with
  (:func:`remember_at_login`, :class:`ProfileLanguageMiddleware`), and the page the login
  leads to already speaks it;
* the header's switch (:func:`switch_language`, ``/i18n/setlang/``) changes the profile too
  for a signed-in user, as the profile page's choice changes the cookie.

Nothing is read per request: the cookie carries the choice between logins, so a kept page
(keyed by language) costs no profile query.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from .models import Profile


def set_language_cookie(response, language: str) -> None:
    """The portal speaks ``language`` in this browser from its next page on."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )


@receiver(user_logged_in, dispatch_uid="notices-language-at-login")
def remember_at_login(sender, request, user, **kwargs) -> None:
    """The profile's language, if the user chose one, for this browser from now on."""
    if request is None:
        return
    language = Profile.objects.filter(user=user).values_list("language", flat=True).first()
    if language and translation.check_for_language(language):
        request.language_of_profile = language
        translation.activate(language)
        request.LANGUAGE_CODE = language


class ProfileLanguageMiddleware:
    """Writes the cookie :func:`remember_at_login` asked for on the login's response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        language = getattr(request, "language_of_profile", None)
        if language:
            set_language_cookie(response, language)
        return response


@require_POST
def switch_language(request):
    """The header's language switch (Django's ``set_language``), kept on the profile of a
    signed-in user so that their other devices and their e-mails follow."""
    response = set_language(request)
    language = request.POST.get("language", "")
    chosen = response.cookies.get(settings.LANGUAGE_COOKIE_NAME)
    if request.user.is_authenticated and chosen is not None and chosen.value == language:
        Profile.objects.update_or_create(user=request.user, defaults={"language": language})
    return response
