import type { Queryable } from '../queryable';
import { feedHead, globalFeedPage, type FeedRow } from './feed-queries';

/** Rows the hub reads at a time when it catches up. */
const HUB_PAGE = 1000;
/** Should a wake-up be lost (a dropped LISTEN connection), the hub still looks this often. */
const SAFETY_POLL_MS = 1000;

export type FeedRowsListener = (rows: readonly FeedRow[]) => void;

/**
 * One reader of new feed rows per process, for every live subscriber: woken when the projector commits (the
 * decision listener in process, LISTEN/NOTIFY across processes), it reads what was committed after its position
 * once and hands the rows to the subscribers that are caught up. Subscribers that are behind (catching up, or
 * slow: their socket would not take more) page from the database themselves, so the hub never buffers for
 * anyone and a stalled client holds up nobody.
 */
export class FeedHub {
  private position = 0;
  private readonly listeners = new Set<FeedRowsListener>();
  private reading: Promise<void> | undefined;
  private readAgain = false;
  private poll: NodeJS.Timeout | undefined;
  private readonly open = new Set<() => void>();

  constructor(
    private readonly db: Queryable,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  async start(): Promise<void> {
    this.position = await feedHead(this.db);
    this.poll = setInterval(() => this.wake(), SAFETY_POLL_MS);
    this.poll.unref();
  }

  async stop(): Promise<void> {
    if (this.poll) clearInterval(this.poll);
    this.listeners.clear();
    await this.reading;
  }

  /** The last sequence handed to the listeners: a subscriber that has read past it may listen. */
  get head(): number {
    return this.position;
  }

  /** Feed subscribers open in this process (for /metrics). */
  get subscribers(): number {
    return this.open.size;
  }

  /** Counts a subscriber until the returned function is called; `end` closes it at shutdown. */
  subscriberOpened(end: () => void): () => void {
    this.open.add(end);
    return () => this.open.delete(end);
  }

  /** Ends every subscriber's stream (before the HTTP server closes, which waits for open responses). */
  endSubscribers(): void {
    for (const end of [...this.open]) end();
  }

  /** Called with each batch of rows committed after {@link head}; returns the function that stops it. */
  listen(listener: FeedRowsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Something was committed: read it (once, however many wake-ups arrive meanwhile). */
  wake(): void {
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = this.read().finally(() => {
      this.reading = undefined;
      if (this.readAgain) {
        this.readAgain = false;
        this.wake();
      }
    });
  }

  private async read(): Promise<void> {
    try {
      if (this.listeners.size === 0) {
        this.position = Math.max(this.position, await feedHead(this.db));
        return;
      }
      for (;;) {
        const rows = await globalFeedPage(this.db, this.position, undefined, HUB_PAGE);
        if (rows.length === 0) return;
        // The position moves and the listeners hear of it in one synchronous step (see head).
        this.position = rows[rows.length - 1].sequence;
        for (const listener of [...this.listeners]) listener(rows);
        if (rows.length < HUB_PAGE) return;
      }
    } catch (error) {
      this.onError(error);
    }
  }
}
