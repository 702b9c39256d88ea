from django.contrib import admin

from .models import Profile, ReminderSent


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
