import type { DataSource } from 'typeorm';
import type { StandoffState } from '@app/domain/state';
import { FoldingTemporalQueries, standoffVersion, type StateRequest } from '../temporal-queries';
import { readStateFromSnapshots } from './snapshot-state-reader';

/** The temporal queries with the state read from the nearest usable snapshot instead of the whole history. */
export class SnapshotTemporalQueries extends FoldingTemporalQueries {
  constructor(private readonly dataSource: DataSource) {
    super(dataSource);
  }

  override state(request: StateRequest): Promise<StandoffState | undefined> {
    return this.dataSource.transaction('REPEATABLE READ', async (tx) => {
      const version = await standoffVersion(tx, request.standoffId);
      if (version === 0) return undefined;
      return readStateFromSnapshots(tx, { ...request, version });
    });
  }
}
