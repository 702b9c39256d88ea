"""API views that belong to no app: the floor endpoint and the "API access" page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.views import APIView

from .api import error_responses


class ApiTokenView(LoginRequiredMixin, TemplateView):
    """A signed-in user sees, creates, regenerates or revokes their API token."""

    template_name = "api/token.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["token"] = Token.objects.filter(user=self.request.user).first()
        context["api_root"] = self.request.build_absolute_uri("/api/v1/")
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        with transaction.atomic():
            if action in {"create", "regenerate"}:
                Token.objects.filter(user=request.user).delete()
                Token.objects.create(user=request.user)
                if action == "create":
                    messages.success(request, _("Your API token has been created."))
                else:
                    messages.success(
                        request, _("A new API token replaces the old one, which no longer works.")
                    )
            elif action == "revoke":
                Token.objects.filter(user=request.user).delete()
                messages.success(request, _("Your API token has been revoked."))
            else:
                messages.error(request, _("Unknown action."))
        return redirect("api:token")


class HealthView(APIView):
    """The cheapest DRF endpoint: the floor the benchmarks compare every list with."""

    @extend_schema(
        operation_id="health",
        summary="Is the API up?",
        responses={
            200: inline_serializer("Health", {"status": serializers.CharField()}),
            **error_responses(401, 429),
        },
    )
    def get(self, request):
        return Response({"status": "ok"})


@csrf_exempt
def api_not_found(request, *args, **kwargs) -> JsonResponse:
    """No such API URL (a malformed id, a typo in a resource name): JSON, like every API error."""
    body = {"detail": _("Not found."), "code": "not_found", "errors": {}}
    return JsonResponse(body, status=404)
