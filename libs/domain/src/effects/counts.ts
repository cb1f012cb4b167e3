import { cameoCode } from '../cameo';
import type { RecordedEvent } from '../recorded-event';
import { entityKey, type FoldState } from '../state';
import { DAY_MS } from '../time';
import { occurred, takingPart } from './event-parts';

/** How far back the fold keeps Goldstein values: the longest tension window of the state. */
export const RECENT_TENSION_MS = 30 * DAY_MS;

/** What every included event adds, void ones too: the count, the time span, the actors, the tension. */
export function count(state: FoldState, event: RecordedEvent): void {
  state.eventCount += 1;
  const at = occurred(event);
  if (state.firstEventAt === null || at.ms < state.firstEventAt.ms) state.firstEventAt = at;
  if (state.lastEventAt === null || at.ms >= state.lastEventAt.ms) state.lastEventAt = at;
  for (const id of takingPart(event)) {
    const key = entityKey(id);
    const actor = (state.actors[key] ??= { id, eventCount: 0 });
    actor.eventCount += 1;
  }
  const code = event.cameo === null ? undefined : cameoCode(event.cameo);
  if (code) addRecentTension(state, event.occurredAt, code.goldsteinTenths);
}

function addRecentTension(state: FoldState, occurredAt: number, goldsteinTenths: number): void {
  const recent = state.recentTension;
  const last = recent.entries[recent.entries.length - 1];
  if (last && last[0] === occurredAt && recent.entries.length > recent.start) {
    last[1] += 1;
    last[2] += goldsteinTenths;
  } else {
    recent.entries.push([occurredAt, 1, goldsteinTenths]);
  }
  recent.latest = recent.latest === null ? occurredAt : Math.max(recent.latest, occurredAt);
  const horizon = recent.latest - RECENT_TENSION_MS;
  while (recent.start < recent.entries.length && recent.entries[recent.start][0] <= horizon)
    recent.start += 1;
  if (recent.start > 32 && recent.start * 2 > recent.entries.length) {
    recent.entries = recent.entries.slice(recent.start);
    recent.start = 0;
  }
}
