"""Words of the libraries the admin shows that ship no Italian or Swedish: translated in
our catalogue (locale/), which Django reads before theirs. The strings are listed here so
``makemessages`` keeps them; django-axes' and django-tasks-db's apps, which have no name
to translate, are named by :class:`AxesWithNameConfig` and :class:`TasksWithNameConfig`
(in ``INSTALLED_APPS``). Django's yes/no icons, labelled "True" and "False" whatever the
language, are labelled in the reader's (:func:`label_yes_no_icons`)."""

from __future__ import annotations

from axes.apps import AppConfig as AxesConfig
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_noop, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig

LIBRARY_WORDS = [
    # Django's own user page, newer than its Italian catalogue
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("Password-based authentication"),
    gettext_noop("Reset password"),
    gettext_noop("Set password"),
    gettext_noop("Raw passwords are not stored, so there is no way to see the user’s password."),
    gettext_noop("Enabled"),
    gettext_noop("Enable password-based authentication for this user by setting a password."),
    # Django 5.2's admin: the hidden headings of the index's and side bar's tables, read out
    # by screen readers (Django's Italian catalogue lacks them)
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("Disabled"),
    gettext_noop(
        "Whether the user will be able to authenticate using a password or not. "
        "If disabled, they may still be able to authenticate using other backends, "
        "such as Single Sign-On or LDAP."
    ),
    # Django REST framework's token app (named in INSTALLED_APPS by its module: its models
    # look for that name)
    gettext_noop("Auth Token"),
    gettext_noop("Username"),  # its tokens' search help (its Italian catalogue lacks it)
    # django-axes' models (its own catalogue has no it/sv)
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    # django-tasks' results (background documents), no catalogue of their own
    gettext_noop("Task Result"),
    gettext_noop("Task Results"),
    pgettext_lazy("Task", "Ready"),
    pgettext_lazy("Task", "Running"),
    pgettext_lazy("Task", "Failed"),
    pgettext_lazy("Task", "Successful"),
    gettext_noop("enqueued at"),
    gettext_noop("started at"),
    gettext_noop("priority"),
    gettext_noop("queue name"),
    gettext_noop("task path"),
    gettext_noop("backend name"),
    gettext_noop("run after"),
    gettext_noop("return value"),
    gettext_noop("exception class path"),
    gettext_noop("traceback"),
    gettext_noop("args kwargs"),
    gettext_noop("worker id"),
]


class AxesWithNameConfig(AxesConfig):
    """django-axes, named; and, once the apps are ready, the admin's yes/no icons
    labelled in the reader's language (this module's one hook into start-up)."""

    verbose_name = _("Login lockouts")

    def ready(self) -> None:
        super().ready()
        label_yes_no_icons()


class TasksWithNameConfig(TasksAppConfig):
    verbose_name = _("Background tasks")


def _yes_no_icon(value):
    """Django's ``_boolean_icon`` with its alternative text in the reader's language."""
    icon = {True: "yes", False: "no", None: "unknown"}[value]
    label = {True: gettext("Yes"), False: gettext("No"), None: gettext("Unknown")}[value]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{icon}.svg"), label)


def label_yes_no_icons() -> None:
    """Django's admin reads ``admin_list._boolean_icon`` at each call (lists, read-only
    fields): the yes/no icons then say "Sì"/"Ja", not "True", to a screen reader."""
    from django.contrib.admin.templatetags import admin_list  # once the apps are loaded

    admin_list._boolean_icon = _yes_no_icon
