import type { Queryable } from './queryable';

/**
 * The `dashboard` schema for BI tools (DESIGN.md §7): stable, documented views over the read models. Beside the
 * server's default schema it is `dashboard`; beside a schema of its own (`DATABASE_SCHEMA`, tests) it is
 * `<schema>_dashboard`, so that two stores in one database never share it.
 */
export function dashboardSchemaOf(readModelSchema: string): string {
  return readModelSchema === 'public' ? 'dashboard' : `${readModelSchema}_dashboard`;
}

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * (Re)creates the views over the read-model tables of `readModelSchema`. A view is bound to the tables it was
 * created on, not to their names: a rebuild, which moves the live tables away (ALTER TABLE … SET SCHEMA) and
 * drops them, calls this in its switch transaction so that the views follow the new tables.
 */
export async function createDashboardViews(db: Queryable, readModelSchema: string): Promise<void> {
  const tables = quote(readModelSchema);
  const dashboard = quote(dashboardSchemaOf(readModelSchema));
  await db.query(`CREATE SCHEMA IF NOT EXISTS ${dashboard}`);
  await db.query(`
    CREATE OR REPLACE VIEW ${dashboard}.events AS
    SELECT e.standoff_id, e.event_id, e.position, e.type,
           e.occurred_at, (e.occurred_at AT TIME ZONE 'UTC')::date AS occurred_on, e.occurred_precision,
           e.reported_at, e.recorded_at, e.actor, array_to_string(e.targets, ';') AS targets, e.summary, e.cameo,
           c.name AS cameo_name, c.goldstein, c.quad_class, c.quad_class_name,
           e.source ->> 'name' AS source_name, e.source ->> 'url' AS source_url,
           EXISTS (SELECT 1 FROM ${tables}.events k
                    WHERE k.standoff_id = e.standoff_id AND k.type = 'claim.disputed'
                      AND k.data ->> 'eventId' = e.event_id::text AND NOT k.retracted) AS disputed,
           EXISTS (SELECT 1 FROM ${tables}.events k
                    WHERE k.standoff_id = e.standoff_id AND k.meta AND k.type = 'event.corrected'
                      AND k.data ->> 'eventId' = e.event_id::text) AS corrected
      FROM ${tables}.events e
      LEFT JOIN ${dashboard}.cameo_codes c ON c.code = e.cameo
     WHERE NOT e.meta AND NOT e.retracted`);
  await db.query(`COMMENT ON VIEW ${dashboard}.events IS
    'Included events (neither meta nor retracted) as known now, fields as corrected: one flat row each.'`);
  await db.query(`
    CREATE OR REPLACE VIEW ${dashboard}.daily_tension AS
    SELECT standoff_id, occurred_on AS day, count(*)::int AS events,
           sum(goldstein)::numeric(12, 1) AS goldstein_sum,
           round(avg(goldstein), 2)::numeric(6, 2) AS goldstein_mean,
           count(*) FILTER (WHERE quad_class = 1)::int AS verbal_cooperation,
           count(*) FILTER (WHERE quad_class = 2)::int AS material_cooperation,
           count(*) FILTER (WHERE quad_class = 3)::int AS verbal_conflict,
           count(*) FILTER (WHERE quad_class = 4)::int AS material_conflict
      FROM ${dashboard}.events
     WHERE quad_class IS NOT NULL
     GROUP BY standoff_id, occurred_on`);
  await db.query(`COMMENT ON VIEW ${dashboard}.daily_tension IS
    'Per standoff and UTC day of occurrence: included events with a CAMEO code, Goldstein sum and mean, QuadClass counts.'`);
}
