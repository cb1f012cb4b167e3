import type { PartitionLag } from './log-probe';

/**
 * What an operator reads about partitions that lag and make no progress, in seconds and events (a record holds
 * up to 1000 events, so a count of records says little); undefined when none stalls.
 */
export function stallMessage(partitions: readonly PartitionLag[]): string | undefined {
  const stalled = partitions.filter((p) => p.stalled);
  if (stalled.length === 0) return undefined;
  return stalled
    .map(
      (p) =>
        `partition ${p.partition} has applied no event for ${p.secondsWithoutProgress} s while ` +
        `${p.lag} record(s) wait (offset ${p.nextOffset} of ${p.endOffset}; ${p.appliedEvents} events applied so far)`,
    )
    .join('; ');
}
