import type { RecordedEvent, RecordedEventOf } from '../recorded-event';
import { entityKey, sortedSet, type FoldState, type MeetingEntry } from '../state';
import type { TimePoint } from '../time';
import { dataTime, occurred, takingPart } from './event-parts';
import { changeBy } from './provenance';

/** A new meeting, `proposed`; an id already present keeps the first meeting (the later event only counts). */
export function proposeMeeting(state: FoldState, event: RecordedEventOf<'meeting.proposed'>): void {
  const { meetingId, participants, proposedFor, place, conditions } = event.data;
  if (state.meetings[entityKey(meetingId)]) return;
  const at = occurred(event);
  state.meetings[entityKey(meetingId)] = {
    ...newMeeting(meetingId, participants ?? takingPart(event), place, at, event),
    proposedAt: at,
    proposedFor: proposedFor === undefined ? null : dataTime(proposedFor),
    conditions: conditions ?? null,
  };
}

/** `scheduled`, whatever its status was; a scheduling creates the meeting it names when there is none. */
export function scheduleMeeting(state: FoldState, event: RecordedEventOf<'meeting.scheduled'>): void {
  const { meetingId, scheduledFor, place } = event.data;
  const key = entityKey(meetingId);
  const meeting = (state.meetings[key] ??= newMeeting(
    meetingId,
    stringList(event.data.participants) ?? takingPart(event),
    place,
    occurred(event),
    event,
  ));
  meeting.status = 'scheduled';
  meeting.scheduledFor = dataTime(scheduledFor);
  meeting.place = place ?? meeting.place;
  changeBy(meeting, event);
}

export function cancelMeeting(state: FoldState, event: RecordedEventOf<'meeting.cancelled'>): void {
  const meeting = state.meetings[entityKey(event.data.meetingId)];
  if (!meeting) return;
  meeting.status = 'cancelled';
  meeting.cancelledAt = occurred(event);
  changeBy(meeting, event);
}

function newMeeting(
  meetingId: string,
  participants: readonly string[],
  place: string | undefined,
  at: TimePoint,
  creator: RecordedEvent,
): MeetingEntry {
  return {
    meetingId,
    participants: sortedSet(participants),
    status: 'proposed',
    createdAt: at,
    proposedAt: null,
    proposedFor: null,
    scheduledFor: null,
    heldAt: null,
    cancelledAt: null,
    place: place ?? null,
    conditions: null,
    origin: creator.eventId,
    lastChange: creator.eventId,
  };
}

/**
 * `participants` is no field of `meeting.scheduled` in the catalogue, so it is data kept as given, unchecked;
 * a scheduling that creates its meeting takes it when it is a list of ids, as a proposal would.
 */
function stringList(value: unknown): readonly string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
}
