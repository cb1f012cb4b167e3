import type { StandoffState } from '@app/domain/state';
import { stateAt } from '@app/domain/state-at';
import { loadForFold } from './fold-inputs';
import type { Queryable } from './queryable';
import { standoffVersion } from './standoff-version';
import type { StateRequest } from './temporal-queries';

/**
 * The state by folding every event it can need, the whole history up to `asOf`: the benchmark's baseline
 * (bench/state-at-scale.ts), which the snapshots the API reads from must equal and beat.
 */
export async function readStateByFullFold(
  db: Queryable,
  request: StateRequest,
): Promise<StandoffState | undefined> {
  const version = await standoffVersion(db, request.standoffId);
  if (version === 0) return undefined;
  const events = await loadForFold(db, request.standoffId, version, request.knownAt, { to: request.asOf });
  return stateAt(events, { ...request, version });
}
