import { EventEmitter } from 'node:events';
import type { Response } from 'express';
import { FeedHub } from '@app/read-model/feed/feed-hub';
import type { RecordedEvent } from '@app/domain/recorded-event';
import type { Queryable } from '@app/read-model/queryable';
import { FeedStream } from './feed-stream';

/** The feed table in memory, answering the three queries the hub and the stream make. */
class FakeFeed implements Queryable {
  readonly rows: {
    sequence: string;
    standoff_id: string;
    version: number;
    type: string;
    posted: RecordedEvent;
  }[] = [];
  queries = 0;

  append(standoffId: string): void {
    const version = this.rows.filter((r) => r.standoff_id === standoffId).length + 1;
    const sequence = this.rows.length + 1;
    this.rows.push({
      sequence: String(sequence),
      standoff_id: standoffId,
      version,
      type: 'statement.made',
      posted: {
        eventId: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
        standoffId,
        position: version,
        type: 'statement.made',
        occurredAt: 0,
        occurredPrecision: 'day',
        reportedAt: 0,
        reportedPrecision: 'day',
        recordedAt: 0,
        actor: 'USA',
        target: [],
        summary: 'A statement',
        cameo: null,
        data: {},
        source: null,
      },
    });
  }

  async query(sql: string, parameters: unknown[] = []): Promise<unknown[]> {
    this.queries += 1;
    if (sql.includes('last_sequence')) return [{ last: String(this.rows.length) }];
    if (sql.includes('f.standoff_id = $1 AND f.version > $2')) {
      const [standoffId, after, limit] = parameters as [string, number, number];
      return this.rows.filter((r) => r.standoff_id === standoffId && r.version > after).slice(0, limit);
    }
    const [after, limit] = [parameters[0] as number, parameters[parameters.length - 1] as number];
    return this.rows.filter((r) => Number(r.sequence) > after).slice(0, limit);
  }
}

/** A response whose socket takes `capacity` messages, then wants to drain until the client reads. */
class SlowResponse extends EventEmitter {
  received: string[] = [];
  unread = 0;
  writableNeedDrain = false;
  writableEnded = false;
  destroyed = false;
  /** Writes made while the socket had said it was full. */
  overruns = 0;

  constructor(private readonly capacity: number) {
    super();
  }

  write(chunk: string): boolean {
    if (this.writableNeedDrain) this.overruns += 1;
    if (chunk.startsWith('id:')) this.received.push(chunk);
    this.unread += 1;
    this.writableNeedDrain = this.unread >= this.capacity;
    return !this.writableNeedDrain;
  }

  /** The client reads everything: the socket drains. */
  read(): void {
    this.unread = 0;
    if (this.writableNeedDrain) {
      this.writableNeedDrain = false;
      this.emit('drain');
    }
  }

  end(): void {
    this.writableEnded = true;
    this.emit('close');
  }

  ids(): number[] {
    return this.received.map((chunk) => Number(/^id: (\d+)/.exec(chunk)?.[1]));
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !condition(); i += 1) await tick();
  if (!condition()) throw new Error('condition not met');
}

describe('an SSE feed stream', () => {
  it('stops writing to a full socket, pages from the database after drain, and misses or repeats nothing', async () => {
    const feed = new FakeFeed();
    for (let i = 0; i < 1200; i += 1) feed.append(i % 3 === 0 ? 'a' : 'b');
    const hub = new FeedHub(feed);
    await hub.start();
    const slow = new SlowResponse(50);
    const fast = new SlowResponse(1_000_000);
    const runs = [
      new FeedStream(
        feed,
        hub,
        slow as unknown as Response,
        { kind: 'global', standoffs: [] },
        0,
        60_000,
      ).run(),
      new FeedStream(
        feed,
        hub,
        fast as unknown as Response,
        { kind: 'standoff', standoffId: 'a' },
        0,
        60_000,
      ).run(),
    ];
    await until(() => fast.received.length === 400);
    // The slow client has its socket full: it holds 50 messages, not the history.
    expect(slow.received).toHaveLength(50);

    // Live events reach the fast client while the slow one still reads nothing.
    for (let i = 0; i < 30; i += 1) feed.append('a');
    hub.wake();
    await until(() => fast.received.length === 430);
    expect(slow.received).toHaveLength(50);

    while (slow.received.length < 1230) {
      slow.read();
      await tick();
    }
    expect(slow.ids()).toEqual(Array.from({ length: 1230 }, (_, i) => i + 1));
    expect(fast.ids()).toEqual(Array.from({ length: 430 }, (_, i) => i + 1));
    expect(slow.overruns).toBe(0);
    expect(hub.subscribers).toBe(2);

    hub.endSubscribers();
    await Promise.all(runs);
    expect(hub.subscribers).toBe(0);
    await hub.stop();
  });
});
