import {
  compareFoldOrder,
  knowledgeView,
  unmarked,
  type KnowledgeView,
  type KnownEvent,
} from '@app/domain/knowledge';
import type { RecordedEvent } from '@app/domain/recorded-event';
import {
  baseConditions,
  KNOWLEDGE_ROW,
  REGULAR,
  regularClauses,
  SPECIAL,
  type RegularFilters,
} from './event-conditions';
import { compareToKey, keyOf, type FoldKey } from './fold-key';
import type { Queryable } from './queryable';

/** Reads one page of regular rows at a time: bounded memory for a replay, bounded work per timeline page. */
export const DEFAULT_PAGE_SIZE = 1000;

/**
 * The known events within `horizon` as known at `knownAt`, in fold order, page by page, after `after` (a fold
 * key). Regular rows come from SQL in fold order (`regular` narrows them); special rows are read once, up front,
 * and merged in. Pages cover consecutive ranges of fold keys, so a row whose columns a concurrent correction
 * rewrites is neither lost nor repeated: a row named since the special rows were read has only knowledge
 * events beyond the horizon, and is merged by its posted key.
 */
export class FoldOrderScan {
  private view: KnowledgeView | undefined;

  constructor(
    private readonly db: Queryable,
    private readonly standoffId: string,
    private readonly horizon: number,
    /** The standoff's version read before this scan: knowledge events beyond it are newer than the view. */
    private readonly versionBefore: number,
    private readonly knownAt: number,
    private readonly regular: RegularFilters,
    private readonly pageSize: number,
  ) {}

  /** The knowledge view of the special rows; after the first page has been read. */
  get knowledge(): KnowledgeView {
    if (!this.view) throw new Error('FoldOrderScan: no page read yet');
    return this.view;
  }

  async *pages(): AsyncGenerator<KnownEvent[]> {
    const specialRows = await this.loadSpecial();
    const view = knowledgeView(specialRows, this.knownAt);
    this.view = view;
    const specialIds = new Set(specialRows.map((e) => e.eventId));
    const specials = view.events;
    let next = 0;
    let after = this.regular.after;
    if (after) {
      const start = after;
      while (next < specials.length && compareToKey(specials[next].event, start) <= 0) next++;
    }
    for (;;) {
      const regular = await this.loadRegular(after);
      const full = regular.length === this.pageSize;
      const last = full ? keyOf(regular[regular.length - 1]) : undefined;
      const within = (event: RecordedEvent) =>
        (!after || compareToKey(event, after) > 0) && (!last || compareToKey(event, last) <= 0);
      // A row named between the two statements comes in both: it counts once.
      const regularIds = new Set(regular.map((e) => e.eventId));
      const renamed = (await this.loadNamedSince()).filter(
        (e) => !specialIds.has(e.eventId) && !regularIds.has(e.eventId) && within(e),
      );
      const page = [...regular, ...renamed].map(unmarked);
      while (next < specials.length && (!last || compareToKey(specials[next].event, last) <= 0)) {
        page.push(specials[next++]);
      }
      page.sort((a, b) => compareFoldOrder(a.event, b.event));
      if (page.length > 0) yield page;
      if (!last) return;
      after = last;
    }
  }

  private async loadSpecial(): Promise<RecordedEvent[]> {
    const c = baseConditions(this.standoffId, this.horizon, this.knownAt).add(SPECIAL);
    const rows: { posted: RecordedEvent }[] = await this.db.query(
      `SELECT e.posted FROM events e WHERE ${c}`,
      c.parameters,
    );
    return rows.map((r) => r.posted);
  }

  private async loadRegular(after: FoldKey | undefined): Promise<RecordedEvent[]> {
    const c = baseConditions(this.standoffId, this.horizon, this.knownAt).add(REGULAR);
    for (const clause of regularClauses(c, { ...this.regular, after })) c.add(clause);
    const rows: { posted: RecordedEvent }[] = await this.db.query(
      `SELECT e.posted FROM events e WHERE ${c}
        ORDER BY e.occurred_at, e.reported_at, e.position LIMIT ${c.param(this.pageSize)}`,
      c.parameters,
    );
    return rows.map((r) => r.posted);
  }

  /** Rows named by knowledge events appended since the scan began (usually none). */
  private async loadNamedSince(): Promise<RecordedEvent[]> {
    const c = baseConditions(this.standoffId, this.horizon, this.knownAt);
    c.add(`NOT e.meta AND e.type <> 'claim.disputed'`);
    const standoff = c.param(this.standoffId);
    c.add(
      `e.event_id::text IN (SELECT k.data ->> 'eventId' FROM events k WHERE k.standoff_id = ${standoff}
        AND k.position > ${c.param(this.versionBefore)} AND ${KNOWLEDGE_ROW})`,
    );
    const rows: { posted: RecordedEvent }[] = await this.db.query(
      `SELECT e.posted FROM events e WHERE ${c}`,
      c.parameters,
    );
    return rows.map((r) => r.posted);
  }
}
