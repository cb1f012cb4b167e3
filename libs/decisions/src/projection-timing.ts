import { channel, type Channel } from 'node:diagnostics_channel';

/*
 * Where the projector's time goes, for benchmarks and profilers: published on Node's diagnostics channels,
 * and measured only while someone subscribes, so the projector pays nothing otherwise.
 */

export interface BatchApplied {
  readonly partition: number;
  readonly records: number;
  readonly ms: number;
}

export interface SnapshotsInvalidated {
  readonly standoffId: string;
  readonly ms: number;
}

export const batchApplied = channel('standoff.projection.batch-applied');
export const snapshotsInvalidated = channel('standoff.projection.snapshots-invalidated');

/** Runs `work`, publishing what it took on `timing` when the channel has subscribers. */
export async function timed<T>(
  timing: Channel,
  work: () => Promise<T>,
  message: (ms: number) => BatchApplied | SnapshotsInvalidated,
): Promise<T> {
  if (!timing.hasSubscribers) return work();
  const started = performance.now();
  const result = await work();
  timing.publish(message(performance.now() - started));
  return result;
}
