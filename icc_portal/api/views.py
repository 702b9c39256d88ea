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
from rest_framework import routers, serializers
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.views import APIView

from icc_portal import health

from .errors import error_responses
from .filters import SingleValuedQuery


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


class HealthQuery(serializers.Serializer):
    deep = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Also check that the database answers and the cache keeps a value; "
        "503 naming the failed check when one does not.",
    )


class HealthView(APIView):
    """Is the service up? The cheapest DRF endpoint, and with ``?deep=1`` its dependencies.

    Without ``deep`` it only authenticates and answers: the floor the benchmarks compare
    every list with, and a liveness probe. ``?deep=1`` checks the dependencies for
    monitoring (see ``icc_portal/health.py``): a cache outage makes it 503 while the
    portal still serves without the cache (``icc_portal/cache.py``). Not throttled:
    monitors and load balancers probe at a fixed rate.
    """

    throttle_classes = ()
    query_parameters = ("deep",)

    @extend_schema(
        operation_id="health",
        summary="Is the API up?",
        description=(
            'Answers `{"status": "ok"}` while the application serves requests. With '
            "`deep=1` it also checks that the database answers a query and the cache keeps "
            "a value, and lists each check; when one fails the answer is 503 and the failed "
            "check reads `error: <kind of error>`. Not throttled, for monitors and load "
            "balancers."
        ),
        parameters=[HealthQuery],
        responses={
            200: inline_serializer(
                "Health",
                {
                    "status": serializers.CharField(),
                    "checks": serializers.DictField(
                        child=serializers.CharField(),
                        required=False,
                        help_text='With `deep`: each check and "ok".',
                    ),
                },
            ),
            (503, "application/json"): inline_serializer(
                "HealthFailure",
                {
                    "detail": serializers.CharField(),
                    "code": serializers.CharField(),
                    "errors": serializers.DictField(
                        child=serializers.ListField(child=serializers.CharField())
                    ),
                    "status": serializers.CharField(),
                    "checks": serializers.DictField(
                        child=serializers.CharField(),
                        help_text='Each check and "ok" or "error: <kind of error>".',
                    ),
                },
            ),
            **error_responses(400, 401),
        },
    )
    def get(self, request):
        SingleValuedQuery().check(request, self)
        query = HealthQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        if not query.validated_data["deep"]:
            return Response({"status": "ok"})
        checks = health.run_checks()
        failed = [name for name, result in checks.items() if result != health.OK]
        if not failed:
            return Response({"status": "ok", "checks": checks})
        body = {
            "detail": _("Not every service the portal needs answers: %(failed)s.")
            % {"failed": ", ".join(failed)},
            "code": "unavailable",
            "errors": {},
            "status": "error",
            "checks": checks,
        }
        return Response(body, status=503)


class ApiRootView(routers.APIRootView):
    """``/api/v1/``: the resources' addresses, its query read as strictly as theirs."""

    def get(self, request, *args, **kwargs):
        SingleValuedQuery().check(request, self)
        return super().get(request, *args, **kwargs)


@csrf_exempt
def api_not_found(request, *args, **kwargs) -> JsonResponse:
    """No such API URL (a malformed id, a typo in a resource name): JSON, like every API error."""
    body = {"detail": _("Not found."), "code": "not_found", "errors": {}}
    return JsonResponse(body, status=404)
