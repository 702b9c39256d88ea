"""Sessions signed in before the user was kept by version name Django's ModelBackend, which
the settings no longer list (``icc_portal.signed_in.KeptUserBackend`` replaced it): they
are pointed at the new backend, so no one is signed out by the upgrade."""

from django.db import migrations

OLD = "django.contrib.auth.backends.ModelBackend"
NEW = "icc_portal.signed_in.KeptUserBackend"


def repoint(apps, schema_editor, old=OLD, new=NEW):
    from django.contrib.auth import BACKEND_SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    Session = apps.get_model("sessions", "Session")
    store = SessionStore()
    for session in Session.objects.using(schema_editor.connection.alias).iterator():
        data = store.decode(session.session_data)
        if data.get(BACKEND_SESSION_KEY) != old:
            continue
        data[BACKEND_SESSION_KEY] = new
        session.session_data = store.encode(data)
        session.save(update_fields=["session_data"])


def repoint_back(apps, schema_editor):
    repoint(apps, schema_editor, old=NEW, new=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("cities", "0006_consortium_figures_approved_on"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(repoint, repoint_back)]
