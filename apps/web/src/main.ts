import './style.css';
import { EVENT_TYPES } from '../../../libs/domain/src/events';
import type { StandoffDiff } from '../../../libs/domain/src/diff-events';
import type { StandoffState } from '../../../libs/domain/src/state';
import type { TensionSeries } from '../../../libs/domain/src/tension';
import type { EventView } from '../../../libs/domain/src/timeline';
import { ApiError, apiKey, getJson, standoffPath, type StandoffSummary } from './api';
import { changeEventAnchor, renderChange } from './change';
import { renderTensionChart } from './chart';
import { dayOf, dayText, endOf } from './days';
import { byId, h, replaceChildren } from './dom';
import { followStandoff, type LiveSubscription } from './live';
import { renderPanels, type Names } from './panels';
import { renderEvent } from './render-event';
import { readViewState, writeViewState, type ChangeAxis, type ViewState } from './view-state';
import { messageOf } from '../../../libs/domain/src/error-message';

interface TimelinePage {
  readonly items: EventView[];
  readonly nextCursor: string | null;
}

const TIMELINE_PAGE = 200;
/** Slider steps after the standoff's last event, so that later reports can be reached; the last step is now. */
const DAYS_AFTER_LAST_EVENT = 30;
const REFRESH_DEBOUNCE_MS = 150;

const el = {
  main: byId('main'),
  title: byId('title'),
  subtitle: byId('subtitle'),
  keySection: byId('key-form-section'),
  keyForm: byId<HTMLFormElement>('key-form'),
  keyInput: byId<HTMLInputElement>('api-key'),
  forgetKey: byId<HTMLButtonElement>('forget-key'),
  picker: byId('standoff-picker'),
  standoff: byId<HTMLSelectElement>('standoff'),
  asOf: byId<HTMLInputElement>('as-of'),
  asOfValue: byId<HTMLOutputElement>('as-of-value'),
  knownAt: byId<HTMLInputElement>('known-at'),
  knownAtValue: byId<HTMLOutputElement>('known-at-value'),
  now: byId<HTMLButtonElement>('now-button'),
  liveStatus: byId('live-status'),
  error: byId('error'),
  summary: byId('summary'),
  panels: byId('panels'),
  chart: byId('chart'),
  actorFilter: byId<HTMLSelectElement>('actor-filter'),
  typeFilter: byId<HTMLSelectElement>('type-filter'),
  clearFilters: byId<HTMLButtonElement>('clear-filters'),
  timeline: byId<HTMLOListElement>('timeline'),
  timelineCount: byId('timeline-count'),
  more: byId<HTMLButtonElement>('more'),
  changeForm: byId<HTMLFormElement>('change-form'),
  changeAxis: byId<HTMLSelectElement>('change-axis'),
  changeFrom: byId<HTMLInputElement>('change-from'),
  changeTo: byId<HTMLInputElement>('change-to'),
  changeClear: byId<HTMLButtonElement>('change-clear'),
  changeSummary: byId('change-summary'),
  changeList: byId<HTMLOListElement>('change-list'),
  changeEventsHeading: byId('change-events-heading'),
  changeEvents: byId<HTMLOListElement>('change-events'),
};

const view: ViewState = readViewState();
let standoffs: StandoffSummary[] = [];
let live: LiveSubscription | undefined;
/** Incremented by every refresh: an answer to an older one is dropped. */
let generation = 0;
let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let nextCursor: string | null = null;
/** Every event seen for this standoff, to name the events that others dispute or correct. */
const seenEvents = new Map<string, EventView>();
const actorNames = new Map<string, string>();
const knownActors = new Set<string>();

const names: Names = { name: (id) => actorNames.get(id) ?? id };

function showError(error: unknown): void {
  if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
    askForKey(error.status === 403 ? 'This key may not read this API. Give another.' : undefined);
    return;
  }
  el.error.hidden = false;
  el.error.textContent = messageOf(error);
}

function clearError(): void {
  el.error.hidden = true;
  el.error.textContent = '';
}

function askForKey(message?: string): void {
  live?.stop();
  el.main.hidden = true;
  el.keySection.hidden = false;
  if (message !== undefined) el.keySection.querySelector('p')?.replaceChildren(message);
  el.keyInput.focus();
}

// ---------------------------------------------------------------------------------------------------------
// Sliders: whole days from the standoff's first event, the last step meaning "now" (no parameter).

function sliderDate(slider: HTMLInputElement): string | null {
  const value = Number(slider.value);
  return value >= Number(slider.max) ? null : dayText(value);
}

function setSlider(slider: HTMLInputElement, output: HTMLOutputElement, date: string | null): void {
  slider.value = String(date === null ? Number(slider.max) : dayOf(date));
  const text = date ?? 'now';
  output.textContent = text;
  slider.setAttribute('aria-valuetext', text);
}

function configureSliders(summary: StandoffSummary): void {
  const today = dayOf(Date.now());
  const first = summary.firstEventAt === null ? today : dayOf(summary.firstEventAt);
  const last = summary.lastEventAt === null ? today : dayOf(summary.lastEventAt);
  const chosen = [view.asOf, view.knownAt].filter((d): d is string => d !== null).map(dayOf);
  const min = Math.min(first, ...chosen);
  const max = Math.max(Math.min(last + DAYS_AFTER_LAST_EVENT, today), ...chosen) + 1;
  for (const slider of [el.asOf, el.knownAt]) {
    slider.min = String(min);
    slider.max = String(max);
  }
  setSlider(el.asOf, el.asOfValue, view.asOf);
  setSlider(el.knownAt, el.knownAtValue, view.knownAt);
}

function onSlider(slider: HTMLInputElement, output: HTMLOutputElement, field: 'asOf' | 'knownAt'): void {
  const date = sliderDate(slider);
  view[field] = date;
  setSlider(slider, output, date);
  writeViewState(view);
  scheduleRefresh();
}

function scheduleRefresh(): void {
  if (refreshTimer !== undefined) clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => {
    refreshTimer = undefined;
    void refresh();
  }, REFRESH_DEBOUNCE_MS);
}

// ---------------------------------------------------------------------------------------------------------
// Filters

function fillFilters(): void {
  const actorValue = view.actor ?? '';
  replaceChildren(
    el.actorFilter,
    h('option', { value: '' }, 'Any actor'),
    [...knownActors].sort().map((id) => h('option', { value: id }, `${id} — ${names.name(id)}`)),
  );
  if (view.actor !== null && !knownActors.has(view.actor)) {
    el.actorFilter.append(h('option', { value: view.actor }, view.actor));
  }
  el.actorFilter.value = actorValue;
  if (el.typeFilter.options.length === 0) {
    // A description names the standoff and is never on its timeline.
    replaceChildren(
      el.typeFilter,
      h('option', { value: '' }, 'Any type'),
      EVENT_TYPES.filter((type) => type !== 'standoff.described').map((type) =>
        h('option', { value: type }, type),
      ),
    );
  }
  el.typeFilter.value = view.type ?? '';
}

function onFilter(): void {
  view.actor = el.actorFilter.value || null;
  view.type = el.typeFilter.value || null;
  writeViewState(view);
  void refresh();
}

// ---------------------------------------------------------------------------------------------------------
// Loading and rendering

function timelineParams(cursor?: string) {
  return {
    knownAt: view.knownAt ?? undefined,
    includeRetracted: 'true',
    limit: String(TIMELINE_PAGE),
    actor: view.actor ?? undefined,
    type: view.type ?? undefined,
    cursor,
  };
}

function remember(events: readonly EventView[]): void {
  for (const event of events) {
    seenEvents.set(event.eventId, event);
    for (const id of [event.actor, ...event.target]) if (id !== null) knownActors.add(id);
  }
}

async function refresh(reason: 'view' | 'live' = 'view'): Promise<void> {
  const standoffId = view.standoff;
  if (standoffId === null) return;
  const mine = ++generation;
  const params = { asOf: view.asOf ?? undefined, knownAt: view.knownAt ?? undefined };
  document.body.setAttribute('aria-busy', 'true');
  try {
    const [state, tension, page, change] = await Promise.all([
      getJson<StandoffState>(standoffPath(standoffId, '/state'), params),
      getJson<TensionSeries>(standoffPath(standoffId, '/tension'), {
        bucket: 'week',
        knownAt: params.knownAt,
      }),
      getJson<TimelinePage>(standoffPath(standoffId, '/events'), timelineParams()),
      fetchChange(standoffId),
    ]);
    remember(page.items);
    if (change) remember(change.events);
    const missing = state.disputed.map((d) => d.eventId).filter((id) => !seenEvents.has(id));
    const named = await Promise.all(
      missing.map((id) =>
        getJson<EventView>(standoffPath(standoffId, `/events/${encodeURIComponent(id)}`)).catch(
          () => undefined,
        ),
      ),
    );
    remember(named.filter((e): e is EventView => e !== undefined));
    if (mine !== generation) return;
    clearError();
    for (const actor of state.actors) {
      if (actor.name !== null) actorNames.set(actor.id, actor.name);
      knownActors.add(actor.id);
    }
    const asOfMs = view.asOf === null ? Date.now() : endOf(view.asOf);
    renderSummary(state);
    replaceChildren(el.panels, renderPanels(state, asOfMs, names, seenEvents));
    replaceChildren(el.chart, renderTensionChart(tension, asOfMs));
    renderChangeSection(standoffId, change, asOfMs);
    const open = new Set(
      [...el.timeline.querySelectorAll<HTMLElement>('li.event')]
        .filter((li) => li.querySelector('details')?.open)
        .map((li) => li.dataset.eventId),
    );
    replaceChildren(el.timeline);
    appendEvents(page.items, asOfMs, open);
    nextCursor = page.nextCursor;
    el.more.hidden = nextCursor === null;
    fillFilters();
    document.body.dataset.version = String(state.version);
    if (reason === 'live') el.liveStatus.textContent = `Updated to version ${state.version}.`;
  } catch (error) {
    if (mine === generation) showError(error);
  } finally {
    if (mine === generation) document.body.removeAttribute('aria-busy');
  }
}

// ---------------------------------------------------------------------------------------------------------
// What changed between two instants (DESIGN.md §9)

/** The diff the view asks for: over valid time as known at `knownAt`, or over knowledge time of `asOf`. */
function fetchChange(standoffId: string): Promise<StandoffDiff | null> {
  const change = view.change;
  if (change === null) return Promise.resolve(null);
  const params =
    change.axis === 'valid'
      ? { from: change.from, to: change.to, knownAt: view.knownAt ?? undefined }
      : { asOf: view.asOf ?? new Date().toISOString(), knownFrom: change.from, knownTo: change.to };
  return getJson<StandoffDiff>(standoffPath(standoffId, '/diff'), params);
}

function renderChangeSection(standoffId: string, diff: StandoffDiff | null, asOfMs: number): void {
  el.changeClear.hidden = diff === null;
  el.changeEventsHeading.hidden = diff === null || diff.events.length === 0;
  if (diff === null || view.change === null) {
    el.changeSummary.textContent = 'Pick two days to see what changed between them, and why.';
    replaceChildren(el.changeList);
    replaceChildren(el.changeEvents);
    return;
  }
  const { from, to } = view.change;
  const lines = renderChange(diff, {
    names,
    seen: seenEvents,
    eventHref: (eventId) => standoffPath(standoffId, `/events/${encodeURIComponent(eventId)}`),
  });
  el.changeSummary.textContent =
    (view.change.axis === 'valid'
      ? `From ${from} to ${to}, as known at ${view.knownAt ?? 'now'}: `
      : `As of ${view.asOf ?? 'now'}, as known at ${from} and then at ${to}: `) +
    `${lines.length} change${lines.length === 1 ? '' : 's'}, ${diff.events.length} event${diff.events.length === 1 ? '' : 's'}` +
    (diff.moreEvents ? ' (the first of the window: the timeline lists the rest).' : '.');
  replaceChildren(el.changeList, lines);
  replaceChildren(
    el.changeEvents,
    diff.events.map((event) => {
      const item = renderEvent(event, asOfMs, names, seenEvents);
      item.id = changeEventAnchor(event.eventId);
      return item;
    }),
  );
}

function fillChangeForm(): void {
  if (view.change === null) return;
  el.changeAxis.value = view.change.axis;
  el.changeFrom.value = view.change.from;
  el.changeTo.value = view.change.to;
}

function appendEvents(
  events: readonly EventView[],
  asOfMs: number,
  open: ReadonlySet<string | undefined>,
): void {
  for (const event of events) {
    const item = renderEvent(event, asOfMs, names, seenEvents);
    if (open.has(event.eventId)) item.querySelector('details')?.setAttribute('open', '');
    el.timeline.append(item);
  }
  const shown = el.timeline.children.length;
  el.timelineCount.textContent = `${shown} event${shown === 1 ? '' : 's'}${nextCursor === null ? '' : ' so far'}`;
}

async function loadMore(): Promise<void> {
  const standoffId = view.standoff;
  if (standoffId === null || nextCursor === null) return;
  const mine = generation;
  try {
    const page = await getJson<TimelinePage>(standoffPath(standoffId, '/events'), timelineParams(nextCursor));
    if (mine !== generation) return;
    remember(page.items);
    nextCursor = page.nextCursor;
    appendEvents(page.items, view.asOf === null ? Date.now() : endOf(view.asOf), new Set());
    el.more.hidden = nextCursor === null;
  } catch (error) {
    showError(error);
  }
}

function renderSummary(state: StandoffState): void {
  el.title.textContent = state.title ?? state.standoffId;
  document.title = `${state.title ?? state.standoffId} — Standoff Timeline`;
  el.subtitle.textContent =
    `As of ${view.asOf ?? 'now'}, as known at ${view.knownAt ?? 'now'}: ` +
    `${state.eventCount} events (version ${state.version})` +
    (state.firstEventAt ? `, ${state.firstEventAt} to ${state.lastEventAt}` : '');
  const window = (label: string, w: StandoffState['tension']['last7Days']) =>
    h(
      'div',
      { class: 'figure' },
      h('div', { class: 'figure-label' }, label),
      h('div', { class: 'figure-value' }, `${w.events} events`),
      h('div', { class: 'muted' }, `Goldstein mean ${w.goldsteinMean}`),
    );
  replaceChildren(
    el.summary,
    window('Last 7 days', state.tension.last7Days),
    window('Last 30 days', state.tension.last30Days),
    h(
      'div',
      { class: 'figure' },
      h('div', { class: 'figure-label' }, 'Actors'),
      h('div', { class: 'figure-value' }, String(state.actors.length)),
      h('div', { class: 'muted' }, state.actors.map((a) => a.id).join(', ')),
    ),
  );
}

async function selectStandoff(standoffId: string): Promise<void> {
  live?.stop();
  seenEvents.clear();
  knownActors.clear();
  view.standoff = standoffId;
  writeViewState(view);
  const summary = await getJson<StandoffSummary>(standoffPath(standoffId));
  configureSliders(summary);
  await refresh();
  live = followStandoff({
    standoffId,
    version: summary.version,
    onVersion: () => void refresh('live'),
    onMode: (mode) => {
      el.liveStatus.dataset.mode = mode;
      el.liveStatus.textContent = mode === 'feed' ? 'Live (feed).' : 'Live (checking every 2 s).';
    },
    onError: showError,
  });
}

async function start(): Promise<void> {
  el.forgetKey.hidden = apiKey.get() === null;
  try {
    standoffs = await getJson<StandoffSummary[]>('/v1/standoffs');
  } catch (error) {
    showError(error);
    return;
  }
  el.keySection.hidden = true;
  el.main.hidden = false;
  if (standoffs.length === 0) {
    el.subtitle.textContent = 'No standoff yet: post its first event to the API.';
    return;
  }
  const chosen = standoffs.find((s) => s.standoffId === view.standoff) ?? standoffs[0];
  replaceChildren(
    el.standoff,
    standoffs.map((s) => h('option', { value: s.standoffId }, s.title ?? s.standoffId)),
  );
  el.standoff.value = chosen.standoffId;
  // With one standoff there is nothing to pick (§8).
  el.picker.hidden = standoffs.length === 1;
  try {
    await selectStandoff(chosen.standoffId);
  } catch (error) {
    showError(error);
  }
}

el.keyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const key = el.keyInput.value.trim();
  if (key === '') return;
  apiKey.set(key);
  el.keyInput.value = '';
  void start();
});
el.forgetKey.addEventListener('click', () => {
  apiKey.clear();
  location.reload();
});
el.standoff.addEventListener('change', () => {
  view.asOf = null;
  view.knownAt = null;
  view.actor = null;
  view.type = null;
  view.change = null;
  void selectStandoff(el.standoff.value).catch(showError);
});
el.asOf.addEventListener('input', () => onSlider(el.asOf, el.asOfValue, 'asOf'));
el.knownAt.addEventListener('input', () => onSlider(el.knownAt, el.knownAtValue, 'knownAt'));
el.now.addEventListener('click', () => {
  view.asOf = null;
  view.knownAt = null;
  setSlider(el.asOf, el.asOfValue, null);
  setSlider(el.knownAt, el.knownAtValue, null);
  writeViewState(view);
  void refresh();
});
el.actorFilter.addEventListener('change', onFilter);
el.typeFilter.addEventListener('change', onFilter);
el.clearFilters.addEventListener('click', () => {
  el.actorFilter.value = '';
  el.typeFilter.value = '';
  onFilter();
});
el.more.addEventListener('click', () => void loadMore());
el.changeForm.addEventListener('submit', (event) => {
  event.preventDefault();
  view.change = {
    axis: el.changeAxis.value as ChangeAxis,
    from: el.changeFrom.value,
    to: el.changeTo.value,
  };
  writeViewState(view);
  void refresh();
});
el.changeClear.addEventListener('click', () => {
  view.change = null;
  writeViewState(view);
  void refresh();
});
fillChangeForm();

void start();
