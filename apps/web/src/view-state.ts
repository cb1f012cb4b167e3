import { isDateText } from './days';

/**
 * What the page shows, kept in the URL (`/?standoff=…&asOf=…&knownAt=…`, DESIGN.md §8) so that a view can be
 * shared and opened as it was. `asOf`/`knownAt` absent: now. Filters ride along as `actor` and `type`.
 */
export interface ViewState {
  standoff: string | null;
  asOf: string | null;
  knownAt: string | null;
  actor: string | null;
  type: string | null;
  /**
   * The change shown (DESIGN.md §9), when one is: over valid time (`from`, `to` as known at `knownAt`) or over
   * knowledge time (the state at `asOf` as known at `from`, then at `to`).
   */
  change: ChangeView | null;
}

export type ChangeAxis = 'valid' | 'knowledge';

export interface ChangeView {
  axis: ChangeAxis;
  from: string;
  to: string;
}

function changeOf(params: URLSearchParams): ChangeView | null {
  const axis = params.get('changeAxis');
  const from = params.get('changeFrom');
  const to = params.get('changeTo');
  if ((axis !== 'valid' && axis !== 'knowledge') || !isDateText(from) || !isDateText(to)) return null;
  return { axis, from, to };
}

function dateOrNull(value: string | null): string | null {
  return isDateText(value) ? value : null;
}

export function readViewState(search: string = location.search): ViewState {
  const params = new URLSearchParams(search);
  return {
    standoff: params.get('standoff'),
    asOf: dateOrNull(params.get('asOf')),
    knownAt: dateOrNull(params.get('knownAt')),
    actor: params.get('actor') || null,
    type: params.get('type') || null,
    change: changeOf(params),
  };
}

export function viewStateSearch(state: ViewState): string {
  const params = new URLSearchParams();
  if (state.standoff !== null) params.set('standoff', state.standoff);
  if (state.asOf !== null) params.set('asOf', state.asOf);
  if (state.knownAt !== null) params.set('knownAt', state.knownAt);
  if (state.actor !== null) params.set('actor', state.actor);
  if (state.type !== null) params.set('type', state.type);
  if (state.change !== null) {
    params.set('changeAxis', state.change.axis);
    params.set('changeFrom', state.change.from);
    params.set('changeTo', state.change.to);
  }
  const search = params.toString();
  return search === '' ? '/' : `/?${search}`;
}

/** Replaces the history entry: a slider moved step by step must not fill the back button. */
export function writeViewState(state: ViewState): void {
  const target = viewStateSearch(state);
  if (`${location.pathname}${location.search}` !== target) history.replaceState(null, '', target);
}
