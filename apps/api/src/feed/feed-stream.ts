import type { Response } from 'express';
import type { FeedHub } from '@app/read-model/feed/feed-hub';
import type { FeedRow } from '@app/read-model/feed/feed-queries';
import type { Queryable } from '@app/read-model/queryable';
import { itemOf, matches, pageAfter, positionOf, type FeedSelection } from './feed-selection';

/** Rows read from the database at a time while catching up: memory stays small however long the history. */
const CATCH_UP_PAGE = 500;

/**
 * One SSE subscriber: catches up from the database a page at a time, then listens to the hub; whenever its
 * socket stops taking data (`res.write` returns false) it leaves the hub, waits for `drain`, and catches up from
 * the database again, so it never buffers for a slow client and never slows the others.
 */
export class FeedStream {
  private closed = false;

  constructor(
    private readonly db: Queryable,
    private readonly hub: FeedHub,
    private readonly res: Response,
    private readonly selection: FeedSelection,
    private after: number,
    private readonly heartbeatMs: number,
  ) {}

  async run(): Promise<void> {
    this.res.once('close', () => (this.closed = true));
    const heartbeat = setInterval(() => this.send(': heartbeat\n\n'), this.heartbeatMs);
    const closed = this.hub.subscriberOpened(() => this.res.end());
    try {
      while (!this.closed) {
        if (this.res.writableNeedDrain) {
          await this.drained();
          continue;
        }
        const seen = this.hub.head;
        const rows = await pageAfter(this.db, this.selection, this.after, CATCH_UP_PAGE);
        for (const row of rows) {
          if (this.closed) return;
          if (!this.deliver(row)) await this.drained();
        }
        // Caught up with what the hub had handed out before the page was read: from here on the hub's rows follow.
        if (rows.length < CATCH_UP_PAGE && this.hub.head === seen) await this.live();
      }
    } finally {
      clearInterval(heartbeat);
      closed();
    }
  }

  /** Writes the row's message; false when the socket wants to drain first. */
  private deliver(row: FeedRow): boolean {
    this.after = positionOf(this.selection, row);
    const data = JSON.stringify(itemOf(this.selection, row));
    return this.send(`id: ${this.after}\nevent: ${row.type}\ndata: ${data}\n\n`);
  }

  private send(chunk: string): boolean {
    if (this.closed || this.res.destroyed || this.res.writableEnded) return false;
    return this.res.write(chunk);
  }

  /** Listens to the hub until the socket is full or closed. */
  private live(): Promise<void> {
    return new Promise((resolve) => {
      let listening = true;
      const leave = () => {
        if (!listening) return;
        listening = false;
        stop();
        this.res.off('close', leave);
        resolve();
      };
      const stop = this.hub.listen((rows) => {
        for (const row of rows) {
          if (!listening) return;
          if (!matches(this.selection, row) || positionOf(this.selection, row) <= this.after) continue;
          if (!this.deliver(row)) leave();
        }
      });
      this.res.once('close', leave);
    });
  }

  private drained(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.once('drain', done);
      this.res.once('close', done);
    });
  }
}
