import type { MigrationInterface, QueryRunner } from 'typeorm';
import cameoTable from '../libs/domain/src/cameo-codes.json';
import { createDashboardViews, dashboardSchemaOf } from '../libs/read-model/src/dashboard-views';

const QUAD_CLASS_NAMES = ['verbalCooperation', 'materialCooperation', 'verbalConflict', 'materialConflict'];

/**
 * The `dashboard` schema for BI tools: the CAMEO codes (Goldstein value and QuadClass) as a table, and the views
 * of dashboard-views.ts over the read models of the current schema.
 */
export class DashboardViews1765100000001 implements MigrationInterface {
  name = 'DashboardViews1765100000001';

  async up(db: QueryRunner): Promise<void> {
    const schema = await currentSchema(db);
    const dashboard = `"${dashboardSchemaOf(schema)}"`;
    await db.query(`CREATE SCHEMA IF NOT EXISTS ${dashboard}`);
    await db.query(`
      CREATE TABLE ${dashboard}.cameo_codes (
        code            text PRIMARY KEY,
        name            text NOT NULL,
        goldstein       numeric(3, 1) NOT NULL,
        quad_class      integer NOT NULL,
        quad_class_name text NOT NULL
      )`);
    await db.query(
      `INSERT INTO ${dashboard}.cameo_codes (code, name, goldstein, quad_class, quad_class_name)
       SELECT code, name, goldstein, "quadClass", ($2::text[])["quadClass"]
         FROM jsonb_to_recordset($1::jsonb) AS x(code text, name text, goldstein numeric, "quadClass" int)`,
      [JSON.stringify(cameoTable.codes), QUAD_CLASS_NAMES],
    );
    await createDashboardViews(db, schema);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP SCHEMA IF EXISTS "${dashboardSchemaOf(await currentSchema(db))}" CASCADE`);
  }
}

async function currentSchema(db: QueryRunner): Promise<string> {
  const [{ schema }]: { schema: string }[] = await db.query(`SELECT current_schema() AS schema`);
  return schema;
}
