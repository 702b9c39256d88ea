"""A row for every figure already stored, so that a feed read from the start lists them."""

from django.db import migrations

BATCH = 2000


def record_existing(apps, schema_editor):
    Change = apps.get_model("changelog", "Change")
    Measurement = apps.get_model("kpis", "Measurement")
    figures = Measurement.objects.order_by("pk").values_list(
        "pk",
        "kpi__solution_id",
        "kpi__solution__consortium_id",
        "kpi__solution__consortium__is_published",
        "city_id",
        "review_state",
    )
    rows = [
        Change(
            reason="created",
            measurement_id=pk,
            solution_id=solution_id,
            consortium_id=consortium_id,
            published=published,
            city_id=city_id,
            review_state=review_state,
        )
        for pk, solution_id, consortium_id, published, city_id, review_state in figures.iterator()
    ]
    rows.append(Change(reason="definition"))
    Change.objects.bulk_create(rows, batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("changelog", "0001_initial"),
        ("kpis", "0002_stage_review"),
    ]

    operations = [migrations.RunPython(record_existing, migrations.RunPython.noop)]
