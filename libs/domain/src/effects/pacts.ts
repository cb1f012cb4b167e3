import type { RecordedEventOf } from '../recorded-event';
import { entityKey, sortedSet, type FoldState } from '../state';
import { occurred, takingPart } from './event-parts';
import { changeBy } from './provenance';

/** A new pact, `in-preparation`; an id already present keeps the first pact (the later event only counts). */
export function proposePact(state: FoldState, event: RecordedEventOf<'pact.proposed'>): void {
  const { pactId, name, parties } = event.data;
  if (state.pacts[entityKey(pactId)]) return;
  state.pacts[entityKey(pactId)] = {
    pactId,
    name,
    parties: sortedSet(parties ?? takingPart(event)),
    status: 'in-preparation',
    since: occurred(event),
    origin: event.eventId,
    lastChange: event.eventId,
  };
}

/** `signed`, creating the pact when there is none; a name or parties given replace the pact's. */
export function signPact(state: FoldState, event: RecordedEventOf<'pact.signed'>): void {
  const { pactId, name, parties } = event.data;
  const at = occurred(event);
  const pact = state.pacts[entityKey(pactId)];
  if (!pact) {
    state.pacts[entityKey(pactId)] = {
      pactId,
      name: name ?? null,
      parties: sortedSet(parties ?? takingPart(event)),
      status: 'signed',
      since: at,
      origin: event.eventId,
      lastChange: event.eventId,
    };
    return;
  }
  pact.status = 'signed';
  pact.since = at;
  pact.name = name ?? pact.name;
  if (parties) pact.parties = sortedSet(parties);
  changeBy(pact, event);
}

export function suspendPact(state: FoldState, event: RecordedEventOf<'pact.suspended'>): void {
  const pact = state.pacts[entityKey(event.data.pactId)];
  if (!pact) return;
  pact.status = 'suspended';
  pact.since = occurred(event);
  changeBy(pact, event);
}
