import type { RecordedEventOf } from '../recorded-event';
import { entityKey, type FoldState } from '../state';
import { occurred } from './event-parts';

/** The actor's stance on the topic, as last stated. */
export function statePosition(state: FoldState, event: RecordedEventOf<'position.stated'>): void {
  const { topic, stance } = event.data;
  const key = entityKey(event.actor, topic);
  state.positions[key] = {
    actor: event.actor,
    topic,
    stance,
    statedAt: occurred(event),
    origin: state.positions[key]?.origin ?? event.eventId,
    lastChange: event.eventId,
  };
}
