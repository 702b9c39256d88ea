from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cities.user_admin import UserWithRolesAdmin

from .invitations import send_invitation
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


class UserProfileInline(admin.StackedInline):
    """The user's language (of the portal and of their e-mails) and notices, on their page."""

    model = Profile
    can_delete = False
    extra = 1
    max_num = 1
    verbose_name = gettext_lazy("language and notices")
    verbose_name_plural = gettext_lazy("language and notices")


class UserWithInvitationAdmin(UserWithRolesAdmin):
    """The users, with their language and the action that invites them."""

    inlines = [*UserWithRolesAdmin.inlines, UserProfileInline]
    actions = ["invite"]

    @admin.action(description=gettext_lazy("Invite: send the e-mail to choose a password"))
    def invite(self, request, queryset):
        sent, skipped = [], []
        for user in queryset.order_by("username"):
            (sent if send_invitation(user) else skipped).append(user.get_username())
        if sent:
            self.message_user(
                request,
                _("Sent to %(users)s, each in their language.") % {"users": ", ".join(sent)},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                _(
                    "Not sent to %(users)s: no e-mail address, inactive, or the mail server "
                    "refused (see the log)."
                )
                % {"users": ", ".join(skipped)},
                messages.WARNING,
            )


User = get_user_model()
admin.site.unregister(User)
admin.site.register(User, UserWithInvitationAdmin)
