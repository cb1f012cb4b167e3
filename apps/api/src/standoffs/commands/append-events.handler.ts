import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { validateEvent } from '@app/domain/catalogue';
import type { FieldError } from '@app/domain/field-error';
import { RULE_BOOK } from '@app/domain/rules';
import { CODEC_VERSION, loggedEventOf, type Envelope, type LoggedEvent } from '@app/event-log/envelope';
import { EVENT_LOG, LogUnavailableError, type EventLog } from '@app/event-log/event-log.port';
import { contentHash } from '@app/decisions/content-hash';
import { findOriginalCommand, reusedKeyRejection } from '@app/decisions/idempotency';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@app/platform/config';
import { DATA_SOURCE } from '@app/platform/tokens';
import { Metrics } from '../../operations/metrics';
import { invalidEvent, logUnavailable, rejectionProblem } from '../../http/problems';
import { DecisionResults } from '../decision-results';
import { AppendEventsCommand, type AppendResult } from './append-events.command';

@CommandHandler(AppendEventsCommand)
export class AppendEventsHandler implements ICommandHandler<AppendEventsCommand, AppendResult> {
  constructor(
    @Inject(EVENT_LOG) private readonly log: EventLog,
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly results: DecisionResults,
    private readonly metrics: Metrics,
  ) {}

  async execute(command: AppendEventsCommand): Promise<AppendResult> {
    const validated = this.validate(command);
    if (!validated.ok) return { outcome: 'rejected', problem: invalidEvent(validated.errors) };
    const { events } = validated;
    const envelope: Envelope = {
      codecVersion: CODEC_VERSION,
      commandId: randomUUID(),
      standoffId: command.standoffId,
      batch: command.batch,
      idempotencyKey: command.idempotencyKey,
      requestHash: requestHash(command.batch, events),
      expectedVersion: command.expectedVersion,
      events,
      rulesVersion: RULE_BOOK.current,
    };
    const eventIds = events.map((e) => e.eventId);
    // A retried write returns its original result before If-Match is looked at (DESIGN.md §4).
    const original = await findOriginalCommand(this.db, envelope);
    if (original === 'reused')
      return { outcome: 'rejected', problem: rejectionProblem(reusedKeyRejection()) };
    if (original) {
      const result = await this.results.ofCommand(original);
      if (result) return result;
    }
    const started = performance.now();
    try {
      await this.log.append(envelope);
    } catch (error) {
      if (error instanceof LogUnavailableError) {
        this.metrics.appendOutcome('unavailable');
        return { outcome: 'unavailable', problem: logUnavailable() };
      }
      throw error;
    }
    const result = await this.results.await(envelope.commandId, eventIds, this.config.decisionWaitMs);
    this.metrics.appendOutcome(result.outcome);
    if (result.outcome !== 'pending') this.metrics.decisionLatency(performance.now() - started);
    return result;
  }

  private validate(
    command: AppendEventsCommand,
  ): { ok: true; events: LoggedEvent[] } | { ok: false; errors: FieldError[] } {
    const now = Date.now();
    const errors: FieldError[] = [];
    const events: LoggedEvent[] = [];
    command.events.forEach((raw, index) => {
      const prefix = command.batch ? `/events/${index}` : '';
      const result = validateEvent(raw, { now });
      if (!result.ok) {
        errors.push(...result.errors.map((e) => ({ path: `${prefix}${e.path}`, message: e.message })));
        return;
      }
      events.push(loggedEventOf(result.event, randomUUID()));
    });
    const clientIds = events.filter((e) => e.clientEventId).map((e) => e.eventId);
    const seen = new Set<string>();
    const repeated = clientIds.find((id) => seen.size === seen.add(id).size);
    if (repeated) errors.push({ path: '/events', message: `eventId ${repeated} appears twice in the batch` });
    return errors.length > 0 ? { ok: false, errors } : { ok: true, events };
  }
}

/** The request's content, blind to the event ids the server chose, so that a retry hashes the same. */
export function requestHash(batch: boolean, events: readonly LoggedEvent[]): string {
  return contentHash({ batch, events: events.map((e) => (e.clientEventId ? e : { ...e, eventId: null })) });
}
