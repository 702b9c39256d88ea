"""The profile page: the language of the portal and of the e-mails, notices on or off."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import View

from .forms import ProfileForm
from .language import set_language_cookie
from .models import profile_of


class ProfileView(LoginRequiredMixin, View):
    template_name = "notices/profile.html"

    def get(self, request):
        profile = profile_of(request.user)
        if profile.pk is None:  # no choice made yet: offer the language being used
            profile.language = translation.get_language() or settings.LANGUAGE_CODE
        return self.show(ProfileForm(instance=profile))

    def post(self, request):
        form = ProfileForm(request.POST, instance=profile_of(request.user))
        if not form.is_valid():
            return self.show(form, status=400)
        profile = form.save()
        translation.activate(profile.language)  # the message below in the chosen language
        messages.success(request, _("Your profile is saved."))
        response = HttpResponseRedirect(reverse("profile") + "#outcome")
        # The portal switches to the chosen language at once, as the header's switch does.
        set_language_cookie(response, profile.language)
        return response

    def show(self, form, status: int = 200):
        return render(self.request, self.template_name, {"form": form}, status=status)
