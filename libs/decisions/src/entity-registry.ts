import type { CreatedEntity, EntityKind, KnownEntity } from '@app/domain/decide';
import type { Queryable } from '@app/read-model/queryable';

/** Demands, documents, meetings and pacts by id: what a command may name, and who created each. */
export async function knownEntities(
  tx: Queryable,
  standoffId: string,
  wanted: readonly (readonly [EntityKind, string])[],
): Promise<ReadonlyMap<string, KnownEntity>> {
  const entities = new Map<string, KnownEntity>();
  if (wanted.length === 0) return entities;
  const rows: { kind: EntityKind; entity_id: string; creator_actor: string | null }[] = await tx.query(
    `SELECT kind, entity_id, creator_actor FROM entities
      WHERE standoff_id = $1 AND (kind, entity_id) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
    [standoffId, wanted.map(([kind]) => kind), wanted.map(([, id]) => id)],
  );
  for (const row of rows)
    entities.set(entityKey(row.kind, row.entity_id), { creatorActor: row.creator_actor });
  return entities;
}

export function entityKey(kind: EntityKind, id: string): string {
  return `${kind}/${id}`;
}

export async function registerEntities(
  tx: Queryable,
  standoffId: string,
  created: readonly CreatedEntity[],
): Promise<void> {
  if (created.length === 0) return;
  await tx.query(
    `INSERT INTO entities (standoff_id, kind, entity_id, created_by, creator_actor)
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::uuid[], $5::text[])`,
    [
      standoffId,
      created.map((e) => e.kind),
      created.map((e) => e.entityId),
      created.map((e) => e.createdBy),
      created.map((e) => e.creatorActor),
    ],
  );
}

/** Only a demand's issuer may withdraw it: the issuer as corrected, for the entities each event created. */
export async function followCorrectedCreators(
  tx: Queryable,
  standoffId: string,
  actors: ReadonlyMap<string, string | null>,
): Promise<void> {
  if (actors.size === 0) return;
  await tx.query(
    `UPDATE entities e SET creator_actor = x.actor
       FROM unnest($2::uuid[], $3::text[]) AS x(created_by, actor)
      WHERE e.standoff_id = $1 AND e.created_by = x.created_by`,
    [standoffId, [...actors.keys()], [...actors.values()]],
  );
}
