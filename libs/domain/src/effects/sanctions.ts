import type { RecordedEventOf } from '../recorded-event';
import { entityKey, sortedSet, type FoldState } from '../state';
import { occurred } from './event-parts';

/** The actor's sanctions against each target, `threatened` or `imposed` as the latest event says. */
export function sanction(
  state: FoldState,
  event: RecordedEventOf<'sanctions.threatened'> | RecordedEventOf<'sanctions.imposed'>,
): void {
  const by = event.actor;
  const status = event.type === 'sanctions.threatened' ? 'threatened' : 'imposed';
  for (const against of sortedSet(event.target)) {
    if (against === by) continue;
    const key = entityKey(by, against);
    state.sanctions[key] = {
      by,
      against,
      status,
      measures: event.data.measures ?? null,
      since: occurred(event),
      origin: state.sanctions[key]?.origin ?? event.eventId,
      lastChange: event.eventId,
    };
  }
}
