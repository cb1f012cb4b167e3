import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { CommandBus } from '@nestjs/cqrs';
import seedScenario from '@app/domain/fixtures/seed-scenario.json';
import { AppendEventsCommand } from '../standoffs/commands/append-events.command';

interface SeedEvent {
  readonly ref: string;
  readonly data?: Record<string, unknown>;
  readonly [field: string]: unknown;
}

/** A stable UUID per seed event, so that loading the seed twice appends nothing twice. */
function seedEventId(standoffId: string, ref: string): string {
  const hex = createHash('sha256').update(`${standoffId}/${ref}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The seed events as a client would post them: `data.eventRef` replaced by the named event's id. */
export function seedRequests(): { standoffId: string; events: Record<string, unknown>[] } {
  const standoffId = seedScenario.standoffId;
  const events = (seedScenario.events as SeedEvent[]).map(({ ref, data, ...event }) => {
    const { eventRef, ...rest } = data ?? {};
    const resolvedData =
      typeof eventRef === 'string' ? { ...rest, eventId: seedEventId(standoffId, eventRef) } : data;
    return {
      ...event,
      eventId: seedEventId(standoffId, ref),
      ...(resolvedData ? { data: resolvedData } : {}),
    };
  });
  return { standoffId, events };
}

/** Posts the seed scenario through the write path, event by event, as an analyst would. */
export async function loadSeed(commands: CommandBus): Promise<void> {
  const logger = new Logger('Seed');
  const { standoffId, events } = seedRequests();
  for (const event of events) {
    const result = await commands.execute(new AppendEventsCommand(standoffId, [event], false, null, null));
    if (result.outcome !== 'accepted') {
      throw new Error(`seed event ${String(event.eventId)} was not accepted: ${JSON.stringify(result)}`);
    }
  }
  logger.log(`loaded the seed scenario into ${standoffId} (${events.length} events)`);
}
