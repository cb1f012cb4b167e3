import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Rejection } from '@app/domain/decide';
import { eventView } from '@app/domain/timeline';
import type { DecisionRow, DecisionWaiter } from '@app/decisions/decision-waiter';
import { isDatabaseUnavailable } from '@app/decisions/fault-kind';
import { DECISION_WAITER } from '@app/decisions/decisions.module';
import { loadKnownEvents } from '@app/read-model/event-queries';
import { DATA_SOURCE } from '@app/platform/tokens';
import { commandDeadLettered, rejectionProblem } from '../http/problems';
import type { AppendResult } from './commands/append-events.command';

/** Turns the projector's recorded decision on a command into the POST's answer. */
@Injectable()
export class DecisionResults {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(DECISION_WAITER) private readonly waiter: DecisionWaiter,
  ) {}

  async await(commandId: string, eventIds: readonly string[], timeoutMs: number): Promise<AppendResult> {
    try {
      const decision = await this.waiter.wait(commandId, timeoutMs);
      if (!decision) return { outcome: 'pending', eventIds };
      return await this.render(decision);
    } catch (error) {
      // The command is in the log already and will be decided once the database is back: a 503 would invite a
      // retry that, without an idempotency key, makes a second command.
      if (isDatabaseUnavailable(error)) return { outcome: 'pending', eventIds };
      throw error;
    }
  }

  async ofCommand(commandId: string): Promise<AppendResult | undefined> {
    const decision = await this.waiter.find(commandId);
    return decision && this.render(decision);
  }

  private async currentVersion(standoffId: string): Promise<number> {
    const [row]: { version: number }[] = await this.db.query(
      `SELECT version FROM standoffs WHERE standoff_id = $1`,
      [standoffId],
    );
    return row?.version ?? 0;
  }

  private async render(decision: DecisionRow): Promise<AppendResult> {
    if (decision.outcome === 'duplicate' && decision.original_command_id) {
      const original = await this.ofCommand(decision.original_command_id);
      if (original) return original;
    }
    if (decision.outcome === 'dead-lettered') {
      return { outcome: 'rejected', problem: commandDeadLettered(String(decision.problem?.detail ?? '')) };
    }
    if (decision.outcome === 'rejected' && decision.problem) {
      const problem = rejectionProblem(decision.problem as unknown as Rejection);
      // A replayed 412 still says where the standoff is now, so the client can re-read and retry.
      const currentVersion =
        problem.status === 412 ? await this.currentVersion(decision.standoff_id) : decision.version_after;
      return { outcome: 'rejected', problem, currentVersion };
    }
    const known = await loadKnownEvents(this.db, decision.standoff_id, decision.event_ids, Date.now());
    const events = decision.event_ids.flatMap((id) => {
      const event = known.get(id);
      return event ? [eventView(event)] : [];
    });
    return { outcome: 'accepted', events, version: decision.version_after };
  }
}
