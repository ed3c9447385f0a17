"""Indexes for the unit lists at a million rows, and on PostgreSQL the function that reads
the planner's row estimate of a query (registry.stock.selectors.list_count)."""

import django.db.models.functions.text
from django.db import migrations, models

ESTIMATE_FUNCTION = """
CREATE OR REPLACE FUNCTION push_row_estimate(query text) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    plan json;
BEGIN
    -- The rows the planner expects the query to return: no row is read.
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
    RETURN (plan -> 0 -> 'Plan' ->> 'Plan Rows')::numeric::bigint;
END
$$
"""


def create_estimate_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ESTIMATE_FUNCTION)


def drop_estimate_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS push_row_estimate(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_building_importjob_stocksnapshot_snapshotcell_unit_and_more"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="unit",
            index=models.Index(
                django.db.models.functions.text.Left("push_id", 6),
                django.db.models.functions.text.Length("push_id"),
                models.F("push_id"),
                name="unit_natural_order",
            ),
        ),
        migrations.AddIndex(
            model_name="unit",
            index=models.Index(fields=["status", "id"], name="unit_status"),
        ),
        migrations.RunPython(create_estimate_function, drop_estimate_function, elidable=False),
    ]
