import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { DECISIONS_CHANNEL } from './decision-notices';
import type { DecisionListener } from './decision-projection';

export interface DecisionRow {
  command_id: string;
  standoff_id: string;
  /** `dead-lettered`: the projector set the command aside (see dead_letters); `problem.detail` says why. */
  outcome: 'accepted' | 'rejected' | 'duplicate' | 'dead-lettered';
  original_command_id: string | null;
  problem: Record<string, unknown> | null;
  event_ids: string[];
  version_after: number;
  batch: boolean;
}

const SAFETY_POLL_MS = 250;

/**
 * Lets a POST wait for the projector's decision on its command: woken in-process when the projector runs in
 * the same process, by LISTEN/NOTIFY across processes, and by a slow poll should a notification be missed.
 * The poll asks once for every command still waiting, not once per command: under load thousands wait, and a
 * query each per round would queue in the pool ahead of the projector whose decisions they wait for.
 */
export class DecisionWaiter implements DecisionListener {
  private readonly waiting = new Map<string, Set<() => void>>();
  private readonly observers = new Set<() => void>();
  private listenClient: Client | undefined;
  private poll: NodeJS.Timeout | undefined;
  private sweeping = false;

  constructor(private readonly db: DataSource) {}

  async start(listenUrl: string | undefined): Promise<void> {
    if (listenUrl) {
      this.listenClient = new Client({ connectionString: listenUrl });
      this.listenClient.on('notification', (message) => this.decided((message.payload ?? '').split(',')));
      this.listenClient.on('error', () => undefined);
      await this.listenClient.connect();
      await this.listenClient.query(`LISTEN ${DECISIONS_CHANNEL}`);
    }
    this.poll = setInterval(() => void this.sweep(), SAFETY_POLL_MS);
    this.poll.unref();
  }

  async stop(): Promise<void> {
    if (this.poll) clearInterval(this.poll);
    await this.listenClient?.end();
  }

  decided(commandIds: readonly string[]): void {
    this.wake(commandIds);
    for (const observe of this.observers) observe();
  }

  private wake(commandIds: readonly string[]): void {
    for (const id of commandIds) for (const wake of this.waiting.get(id) ?? []) wake();
  }

  /** Wakes the waiting commands decided (or dead-lettered) whose notice never came, in one query. */
  private async sweep(): Promise<void> {
    if (this.sweeping || this.waiting.size === 0) return;
    this.sweeping = true;
    try {
      const rows: { command_id: string }[] = await this.db.query(
        `SELECT command_id::text FROM decisions WHERE command_id = ANY($1::uuid[])
         UNION ALL
         SELECT command_id::text FROM dead_letters WHERE command_id = ANY($1::uuid[]) AND replayed_at IS NULL`,
        [[...this.waiting.keys()]],
      );
      this.wake(rows.map((row) => row.command_id));
    } catch {
      // The next round asks again; a wait ends at its deadline regardless.
    } finally {
      this.sweeping = false;
    }
  }

  /** Called after every decision notice, whatever the command (the feed wakes on it); returns the unsubscribe. */
  observe(observer: () => void): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** The decision on the command; a command the projector dead-lettered ends as a rejection that says so. */
  async find(commandId: string): Promise<DecisionRow | undefined> {
    // One round trip: a waiting POST asks this on every wake, and mostly finds nothing yet.
    const [row]: (DecisionRow & { letter_id: string | null; letter_error: string | null })[] =
      await this.db.query(
        `SELECT d.command_id, d.standoff_id, d.outcome, d.original_command_id, d.problem, d.event_ids,
              d.version_after, d.batch, l.id::text AS letter_id, l.error AS letter_error
         FROM (SELECT $1::uuid AS command_id) asked
         LEFT JOIN decisions d ON d.command_id = asked.command_id
         LEFT JOIN LATERAL (
           SELECT id, error FROM dead_letters
            WHERE command_id = asked.command_id AND replayed_at IS NULL
            ORDER BY id DESC LIMIT 1) l ON d.command_id IS NULL`,
        [commandId],
      );
    if (!row) return undefined;
    const { letter_id: letterId, letter_error: letterError, ...decision } = row;
    if (decision.command_id) return decision;
    return letterId ? deadLetteredDecision(commandId, { id: letterId, error: letterError ?? '' }) : undefined;
  }

  /** The decision, or undefined when none is recorded within `timeoutMs`. */
  async wait(commandId: string, timeoutMs: number): Promise<DecisionRow | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let wake: () => void = () => undefined;
      const woken = new Promise<void>((resolve) => (wake = resolve));
      const wakers = this.waiting.get(commandId) ?? new Set();
      wakers.add(wake);
      this.waiting.set(commandId, wakers);
      try {
        const decision = await this.find(commandId);
        if (decision) return decision;
        const remaining = deadline - Date.now();
        if (remaining <= 0) return undefined;
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([woken, new Promise<void>((resolve) => (timer = setTimeout(resolve, remaining)))]);
        clearTimeout(timer);
      } finally {
        wakers.delete(wake);
        if (wakers.size === 0) this.waiting.delete(commandId);
      }
    }
  }
}

function deadLetteredDecision(commandId: string, letter: { id: string; error: string }): DecisionRow {
  return {
    command_id: commandId,
    standoff_id: '',
    outcome: 'dead-lettered',
    original_command_id: null,
    problem: {
      deadLetterId: letter.id,
      detail:
        `The projector could not apply this command and set it aside as dead letter ${letter.id} ` +
        `(${letter.error}); nothing of it was stored. An admin can see it at /v1/admin/dead-letters and replay it.`,
    },
    event_ids: [],
    version_after: 0,
    batch: false,
  };
}
