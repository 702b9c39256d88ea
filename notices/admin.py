from django.contrib import admin

from .models import Notice, Profile, ReminderSent


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "language", "receives_notices"]
    list_filter = ["language", "receives_notices"]
    search_fields = ["user__username", "user__email"]


@admin.register(ReminderSent)
class ReminderSentAdmin(admin.ModelAdmin):
    list_display = ["day", "user", "consortium", "city", "stage", "missing", "sent_at"]
    list_filter = ["day", "stage", "consortium"]
    search_fields = ["user__username", "city__name"]


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    """The outbox, read-only: what was sent, and what waits for the mail server and why."""

    list_display = ["created_at", "email", "subject", "sent_at", "tries", "next_try_at"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter), "template"]
    search_fields = ["email", "subject"]
    readonly_fields = [field.name for field in Notice._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
