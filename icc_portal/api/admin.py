from django.contrib import admin

from .models import TokenLimits


@admin.register(TokenLimits)
class TokenLimitsAdmin(admin.ModelAdmin):
    """A partner's own limits: a sync job that needs more, a writer that should have less."""

    list_display = ["user", "read", "write", "sync"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user"]
