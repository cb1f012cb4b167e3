import type { DataSource } from 'typeorm';
import type { StandoffDiff } from '@app/domain/diff-events';
import type { StandoffState } from '@app/domain/state';
import { readDiff, type DiffRequest } from '../diff-queries';
import { standoffVersion } from '../standoff-version';
import type { StateQueries, StateRequest } from '../temporal-queries';
import { SnapshotStateCache } from './snapshot-state-cache';
import { readStateFromSnapshots } from './snapshot-state-reader';

/** The state (and the diff's two states) read from the nearest usable snapshot instead of the whole history. */
export class SnapshotStateQueries implements StateQueries {
  /** The states of the snapshots read last, kept parsed (this reader reads one database). */
  private readonly cache = new SnapshotStateCache();

  constructor(private readonly dataSource: DataSource) {}

  state(request: StateRequest): Promise<StandoffState | undefined> {
    return this.dataSource.transaction('REPEATABLE READ', async (tx) => {
      const version = await standoffVersion(tx, request.standoffId);
      if (version === 0) return undefined;
      return readStateFromSnapshots(tx, { ...request, version }, this.cache);
    });
  }

  /** Both states from snapshots, as the state route reads them, and the events, all from one moment. */
  diff(request: DiffRequest): Promise<StandoffDiff | undefined> {
    return this.dataSource.transaction('REPEATABLE READ', async (tx) => {
      const version = await standoffVersion(tx, request.standoffId);
      if (version === 0) return undefined;
      return readDiff(tx, request, version, this.cache);
    });
  }
}
