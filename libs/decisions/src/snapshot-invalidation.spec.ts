import type { RecordedEvent } from '@app/domain/recorded-event';
import type { Queryable } from '@app/read-model/queryable';
import { staleFrom } from './snapshot-invalidation';

/** The named event's times as the database would give them: here it stood on 20 January, posted and now. */
const namedOn20January: Queryable = {
  query: async () => [{ earliest: new Date(Date.UTC(2022, 0, 20)) }],
};

function correction(set: Record<string, unknown>): RecordedEvent {
  return {
    eventId: '00000000-0000-4000-8000-000000000002',
    standoffId: 's',
    position: 2,
    type: 'event.corrected',
    occurredAt: Date.UTC(2022, 0, 25),
    occurredPrecision: 'day',
    reportedAt: Date.UTC(2022, 0, 25),
    reportedPrecision: 'day',
    recordedAt: Date.UTC(2026, 0, 1),
    actor: null,
    target: [],
    summary: 'Corrected',
    cameo: null,
    data: { eventId: '00000000-0000-4000-8000-000000000001', set },
    source: null,
  };
}

describe('the point from which accepted events make snapshots stale', () => {
  it('includes the time a correction sets, earlier than every time its event has had', async () => {
    const from = await staleFrom(namedOn20January, 's', [correction({ occurredAt: '2022-01-05' })]);
    expect(from).toBe(Date.UTC(2022, 0, 5));
  });

  it('is the named event’s earliest time for a correction that sets no time', async () => {
    const from = await staleFrom(namedOn20January, 's', [correction({ summary: 'Reworded' })]);
    expect(from).toBe(Date.UTC(2022, 0, 20));
  });
});
