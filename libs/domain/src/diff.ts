import type { StandoffState } from './state';

/*
 * What changed between two states (DESIGN.md §9): per list, the items only in the later state (`added`), only
 * in the earlier one (`removed`), and in both with other fields (`changed`). Items are matched by their ids,
 * and compared without their provenance (`origin`, `lastChange`): an item that only gained a later
 * `lastChange` has not changed for the reader.
 */

/** The lists of the state a diff compares, in the order of the state (DESIGN.md §5). */
export const DIFF_LISTS = [
  'demands',
  'documents',
  'awaiting',
  'contacts',
  'meetings',
  'pacts',
  'forces',
  'estimates',
  'positions',
  'sanctions',
  'disputed',
] as const;

export type DiffListName = (typeof DIFF_LISTS)[number];
export type DiffItem<N extends DiffListName> = StandoffState[N][number];

/** The fields an item's identity is made of, per list (DESIGN.md §9). */
export const ITEM_IDENTITY: { readonly [N in DiffListName]: (item: DiffItem<N>) => readonly string[] } = {
  demands: (d) => [d.demandId],
  documents: (d) => [d.documentId],
  awaiting: (a) => [a.from, a.documentId],
  contacts: (c) => c.actors,
  meetings: (m) => [m.meetingId],
  pacts: (p) => [p.pactId],
  forces: (f) => [f.actor, f.area],
  estimates: (e) => [e.subject, e.area, e.estimator],
  positions: (p) => [p.actor, p.topic],
  sanctions: (s) => [s.by, s.against],
  disputed: (d) => [d.eventId],
};

/** Item fields that say where an item comes from, not what it says: a diff ignores them. */
export const PROVENANCE_FIELDS: readonly string[] = ['origin', 'lastChange'];

export type ItemLists = { [N in DiffListName]: DiffItem<N>[] };
export interface ItemChange<T> {
  readonly before: T;
  readonly after: T;
}
export type ChangedItems = { [N in DiffListName]: ItemChange<DiffItem<N>>[] };

export interface StateChange {
  readonly added: ItemLists;
  readonly removed: ItemLists;
  readonly changed: ChangedItems;
}

export function itemKey<N extends DiffListName>(list: N, item: DiffItem<N>): string {
  return JSON.stringify(ITEM_IDENTITY[list](item));
}

/** JSON values equal whatever the order of object keys; `skip` names top-level keys to leave out. */
function sameJson(a: unknown, b: unknown, skip: readonly string[] = []): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((value, i) => sameJson(value, b[i]));
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = (o: Record<string, unknown>) =>
    Object.keys(o).filter((k) => !skip.includes(k) && o[k] !== undefined);
  const kx = keys(x);
  const ky = keys(y);
  return kx.length === ky.length && kx.every((k) => Object.hasOwn(y, k) && sameJson(x[k], y[k]));
}

/** Whether two items of a list say the same, their provenance aside. */
export function sameItem(a: unknown, b: unknown): boolean {
  return sameJson(a, b, PROVENANCE_FIELDS);
}

function diffList<N extends DiffListName>(
  list: N,
  before: readonly DiffItem<N>[],
  after: readonly DiffItem<N>[],
): { added: DiffItem<N>[]; removed: DiffItem<N>[]; changed: ItemChange<DiffItem<N>>[] } {
  const earlier = new Map(before.map((item) => [itemKey(list, item), item]));
  const later = new Set(after.map((item) => itemKey(list, item)));
  const added: DiffItem<N>[] = [];
  const changed: ItemChange<DiffItem<N>>[] = [];
  for (const item of after) {
    const previous = earlier.get(itemKey(list, item));
    if (previous === undefined) added.push(item);
    else if (!sameItem(previous, item)) changed.push({ before: previous, after: item });
  }
  const removed = before.filter((item) => !later.has(itemKey(list, item)));
  return { added, removed, changed };
}

/**
 * What changed from `before` to `after`, list by list (every list named, empty when nothing changed in it):
 * added and changed items in the order of `after`, removed ones in the order of `before`.
 */
export function diffStates(before: StandoffState, after: StandoffState): StateChange {
  const added = {} as Record<DiffListName, unknown[]>;
  const removed = {} as Record<DiffListName, unknown[]>;
  const changed = {} as Record<DiffListName, unknown[]>;
  for (const list of DIFF_LISTS) {
    const change = diffList(list, before[list], after[list]);
    added[list] = change.added;
    removed[list] = change.removed;
    changed[list] = change.changed;
  }
  return {
    added: added as ItemLists,
    removed: removed as ItemLists,
    changed: changed as ChangedItems,
  };
}

/**
 * The lists of `before` with `change` applied: removed items dropped, changed ones replaced, added ones
 * appended. The inverse `diffStates` promises: for the lists, `applyChange(a, diffStates(a, b))` holds the
 * items of `b` (provenance aside, order aside).
 */
export function applyChange(before: Pick<StandoffState, DiffListName>, change: StateChange): ItemLists {
  const lists = {} as Record<DiffListName, unknown[]>;
  for (const list of DIFF_LISTS) lists[list] = applyToList(list, before[list], change);
  return lists as ItemLists;
}

function applyToList<N extends DiffListName>(
  list: N,
  items: readonly DiffItem<N>[],
  change: StateChange,
): DiffItem<N>[] {
  const key = (item: DiffItem<N>) => itemKey(list, item);
  const removed = new Set((change.removed[list] as DiffItem<N>[]).map(key));
  const changed = change.changed[list] as ItemChange<DiffItem<N>>[];
  const replaced = new Map(changed.map(({ after }) => [key(after), after]));
  return [
    ...items.filter((item) => !removed.has(key(item))).map((item) => replaced.get(key(item)) ?? item),
    ...(change.added[list] as DiffItem<N>[]),
  ];
}
