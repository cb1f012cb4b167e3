import { Body, Controller, Get, Headers, Param, Post, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { problem, ProblemError } from '../http/problem';
import { ApiProblems, ApiWriteHeaders, jsonOf, schemaRef } from '../operations/openapi-decorators';
import { eventIdParam, idempotencyKeyHeader, ifMatchHeader, standoffIdParam } from '../http/query-params';
import { AppendEventsCommand, AppendResult } from './commands/append-events.command';
import {
  GetEventQuery,
  type EventWithStatus,
  GetStandoffQuery,
  ListStandoffsQuery,
  StandoffSummary,
} from './queries/standoffs.query';
import { eventNotFound, standoffNotFound } from '../http/problems';

export const MAX_BATCH_EVENTS = 1000;
/** Seconds a client should wait before asking again for a pending event. */
export const PENDING_RETRY_AFTER_SECONDS = 1;
/** Seconds a client should wait before retrying a write the log could not take. */
const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unreadable(path: string, message: string, status = 400): ProblemError {
  const [slug, title] =
    status === 413 ? ['batch-too-large', 'Batch Too Large'] : ['invalid-body', 'Invalid Body'];
  return new ProblemError(problem(slug, title, status, message, [{ path, message }]));
}

export function eventLocation(standoffId: string, eventId: string): string {
  return `/v1/standoffs/${encodeURIComponent(standoffId)}/events/${encodeURIComponent(eventId)}`;
}

function eventIdOf(event: unknown): string | undefined {
  return isJsonObject(event) && typeof event.eventId === 'string' ? event.eventId : undefined;
}

export function etag(version: number): string {
  return `"${version}"`;
}

const ETAG_HEADER = {
  ETag: { description: 'The standoff version: "<version>"', schema: { type: 'string' } },
};
const LOCATION_HEADER = { Location: { description: 'The (first) event', schema: { type: 'string' } } };
const RETRY_AFTER_HEADER = { 'Retry-After': { description: 'Seconds', schema: { type: 'integer' } } };

/** What a write may answer besides 201 and 202 (DESIGN.md §4). */
const WRITE_PROBLEMS = {
  400: 'the body is not JSON, or a bad path or header',
  404: 'the standoff id is not valid',
  409: 'an entity id that must be new already exists',
  412: 'If-Match differs from the standoff version (the current one is in ETag)',
  413: 'the body is too large (an event 64 KiB, a batch 1 MiB or 1000 events)',
  415: 'the body is not application/json',
  422: 'the event breaks a rule of the catalogue, or a key is reused with other content',
  500: 'the command was dead-lettered',
};

@ApiTags('standoffs')
@Controller('v1/standoffs')
export class StandoffsController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  @Post(':standoffId/events')
  @ApiOperation({
    summary: 'Append one event',
    description: 'Waits a bounded time for the decision (DESIGN.md §4).',
  })
  @ApiBody({ required: true, schema: schemaRef('NewEvent') })
  @ApiWriteHeaders()
  @ApiResponse({
    status: 201,
    description: 'Accepted: the stored event',
    content: jsonOf('Event'),
    headers: { ...ETAG_HEADER, ...LOCATION_HEADER },
  })
  @ApiResponse({
    status: 202,
    description: 'Not decided within the wait: ask the Location again later',
    content: jsonOf('PendingEvent'),
    headers: { ...LOCATION_HEADER, ...RETRY_AFTER_HEADER },
  })
  @ApiProblems(WRITE_PROBLEMS)
  async appendEvent(
    @Param('standoffId') standoffIdText: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<unknown> {
    const { standoffId, expectedVersion, key } = writeTarget(standoffIdText, ifMatch, idempotencyKey);
    if (!isJsonObject(body)) throw unreadable('', 'The body must be one event, a JSON object.');
    const result = await this.commandBus.execute(
      new AppendEventsCommand(standoffId, [body], false, key, expectedVersion),
    );
    return this.respond(standoffId, result, false, res);
  }

  @Post(':standoffId/events\\:batch')
  @ApiOperation({
    summary: 'Append a batch of events, all or nothing',
    description: `{ events: [...] } with 1–${MAX_BATCH_EVENTS} events, in array order.`,
  })
  @ApiBody({ required: true, schema: schemaRef('NewEventBatch') })
  @ApiWriteHeaders()
  @ApiResponse({
    status: 201,
    description: 'Accepted: the stored events',
    content: jsonOf('EventBatch'),
    headers: { ...ETAG_HEADER, ...LOCATION_HEADER },
  })
  @ApiResponse({
    status: 202,
    description: 'Not decided within the wait: ask the Location again later',
    content: jsonOf('PendingBatch'),
    headers: { ...LOCATION_HEADER, ...RETRY_AFTER_HEADER },
  })
  @ApiProblems(WRITE_PROBLEMS)
  async appendBatch(
    @Param('standoffId') standoffIdText: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<unknown> {
    const { standoffId, expectedVersion, key } = writeTarget(standoffIdText, ifMatch, idempotencyKey);
    if (!isJsonObject(body)) throw unreadable('', 'The body must be a JSON object { "events": [...] }.');
    const events = body.events;
    if (!Array.isArray(events)) throw unreadable('/events', 'events must be an array of events.');
    if (events.length === 0) throw unreadable('/events', 'events must hold at least one event.');
    if (events.length > MAX_BATCH_EVENTS) {
      throw unreadable(
        '/events',
        `A batch holds at most ${MAX_BATCH_EVENTS} events; this one has ${events.length}.`,
        413,
      );
    }
    const notObject = events.findIndex((event) => !isJsonObject(event));
    if (notObject >= 0) throw unreadable(`/events/${notObject}`, 'Each event must be a JSON object.');
    const result = await this.commandBus.execute(
      new AppendEventsCommand(standoffId, events, true, key, expectedVersion),
    );
    return this.respond(standoffId, result, true, res);
  }

  @Get()
  @ApiOperation({ summary: 'List the standoffs' })
  @ApiResponse({
    status: 200,
    description: 'Every standoff with an accepted event',
    content: { 'application/json': { schema: { type: 'array', items: schemaRef('StandoffSummary') } } },
  })
  listStandoffs(): Promise<StandoffSummary[]> {
    return this.queryBus.execute(new ListStandoffsQuery());
  }

  @Get(':standoffId')
  @ApiOperation({ summary: 'One standoff, with its version as ETag' })
  @ApiResponse({
    status: 200,
    description: 'The standoff',
    content: jsonOf('StandoffSummary'),
    headers: ETAG_HEADER,
  })
  @ApiProblems({ 400: 'a bad standoff id', 404: 'the standoff has no accepted event' })
  async getStandoff(
    @Param('standoffId') standoffIdText: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StandoffSummary> {
    const standoffId = standoffIdParam(standoffIdText);
    const summary = await this.queryBus.execute(new GetStandoffQuery(standoffId));
    if (summary === undefined) {
      throw new ProblemError(standoffNotFound(standoffId));
    }
    res.setHeader('ETag', etag(summary.version));
    return summary;
  }

  @Get(':standoffId/events/:eventId')
  @ApiOperation({ summary: 'One event with its status (accepted or rejected)' })
  @ApiParam({ name: 'eventId', schema: { type: 'string', format: 'uuid' } })
  @ApiResponse({ status: 200, description: 'The event', content: jsonOf('EventWithStatus') })
  @ApiProblems({ 400: 'a bad id', 404: 'no such event, or its decision is not recorded yet' })
  async getEvent(
    @Param('standoffId') standoffIdText: string,
    @Param('eventId') eventIdText: string,
  ): Promise<EventWithStatus> {
    const standoffId = standoffIdParam(standoffIdText);
    const eventId = eventIdParam(eventIdText);
    const event = await this.queryBus.execute(new GetEventQuery(standoffId, eventId));
    if (event === undefined) {
      throw new ProblemError(eventNotFound(standoffId, eventId));
    }
    return event;
  }

  /** Maps the decision to the response (DESIGN.md §4); a rejection is thrown and rendered by the filter. */
  private respond(standoffId: string, result: AppendResult, batch: boolean, res: Response): unknown {
    switch (result.outcome) {
      case 'accepted': {
        res.status(201);
        res.setHeader('ETag', etag(result.version));
        const firstId = eventIdOf(result.events[0]);
        if (firstId !== undefined) res.setHeader('Location', eventLocation(standoffId, firstId));
        return batch ? { events: result.events } : result.events[0];
      }
      case 'pending': {
        res.status(202);
        res.setHeader('Retry-After', String(PENDING_RETRY_AFTER_SECONDS));
        const firstId = result.eventIds[0];
        if (firstId !== undefined) res.setHeader('Location', eventLocation(standoffId, firstId));
        return batch
          ? { eventIds: result.eventIds, status: 'pending' }
          : { eventId: firstId, status: 'pending' };
      }
      case 'rejected': {
        const headers: Record<string, string> =
          result.problem.status === 412 && result.currentVersion !== undefined
            ? { ETag: etag(result.currentVersion) }
            : {};
        throw new ProblemError(result.problem, headers);
      }
      case 'unavailable':
        throw new ProblemError(result.problem, { 'Retry-After': String(UNAVAILABLE_RETRY_AFTER_SECONDS) });
    }
  }
}

/** The path and headers every write reads, checked before the body. */
function writeTarget(
  standoffIdText: string,
  ifMatch: string | undefined,
  idempotencyKey: string | undefined,
) {
  return {
    standoffId: standoffIdParam(standoffIdText),
    expectedVersion: ifMatchHeader(ifMatch),
    key: idempotencyKeyHeader(idempotencyKey),
  };
}
