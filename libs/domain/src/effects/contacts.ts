import type { ContactMode } from '../events';
import type { RecordedEvent, RecordedEventOf } from '../recorded-event';
import { entityKey, type FoldState } from '../state';
import { occurred, takingPart } from './event-parts';
import { changeBy } from './provenance';

/** Every pair among the actor and the targets met: `count` + 1, `lastAt`, `byMode[mode]` + 1. */
export function holdContact(state: FoldState, event: RecordedEventOf<'contact.held'>): void {
  countContacts(state, event, event.data.mode);
  const { meetingId } = event.data;
  const meeting = meetingId === undefined ? undefined : state.meetings[entityKey(meetingId)];
  if (meeting) {
    meeting.status = 'held';
    meeting.heldAt = occurred(event);
    changeBy(meeting, event);
  }
}

/**
 * Who met whom, from the event's own actor and targets. A `contact.held` whose data the catalogue refuses
 * (never one the log accepted) still counts its pairs, with no mode: the fold stays total.
 */
export function countContacts(state: FoldState, event: RecordedEvent, mode: ContactMode | null): void {
  const at = occurred(event);
  const actors = takingPart(event);
  for (let i = 0; i < actors.length; i++) {
    for (let j = i + 1; j < actors.length; j++) {
      const key = entityKey(actors[i], actors[j]);
      const contact = (state.contacts[key] ??= {
        actors: [actors[i], actors[j]],
        count: 0,
        lastAt: at,
        byMode: { call: 0, video: 0, meeting: 0, visit: 0, multilateral: 0 },
        origin: event.eventId,
        lastChange: event.eventId,
      });
      changeBy(contact, event);
      contact.count += 1;
      if (at.ms >= contact.lastAt.ms) contact.lastAt = at;
      if (mode !== null) contact.byMode[mode] += 1;
    }
  }
}
