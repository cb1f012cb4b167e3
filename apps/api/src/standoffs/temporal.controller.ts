import { Controller, Get, Logger, Param, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ACTOR_ID_PATTERN } from '@app/domain/actors';
import { ENTITY_ID_PATTERN, EVENT_TYPES } from '@app/domain/events';
import type { StandoffState } from '@app/domain/state';
import type { TensionBucket, TensionSeries } from '@app/domain/tension';
import { DAY_MS } from '@app/domain/time';
import type {
  ReplayLine,
  TimelineCursor,
  TimelineFilters,
  TimelinePage,
} from '@app/read-model/temporal-queries';
import { decodeTimelineCursor } from '@app/read-model/timeline-cursor';
import { ProblemError, type Problem } from '../http/problem';
import { ApiProblems, jsonOf, schemaRef } from '../operations/openapi-decorators';
import { INTERNAL_PROBLEM, toProblem } from '../http/problem.filter';
import {
  badRequest,
  boolParam,
  enumParam,
  instantParam,
  intParam,
  listParam,
  standoffIdParam,
} from '../http/query-params';
import { GetStateQuery, GetTensionQuery, GetTimelineQuery, ReplayQuery } from './queries/temporal.query';
import { standoffNotFound as standoffNotFoundProblem } from '../http/problems';
import { writeChunk } from '../http/write-chunk';

export const TIMELINE_DEFAULT_LIMIT = 100;
export const TIMELINE_MAX_LIMIT = 1000;
export const TENSION_BUCKETS: readonly TensionBucket[] = ['day', 'week', 'month'];
/** The tension series' bucket when none is asked for. */
export const TENSION_DEFAULT_BUCKET: TensionBucket = 'day';
/** An explicit `from`–`to` may span at most this many buckets (a day bucket: about 27 years). */
export const TENSION_MAX_BUCKETS = 10_000;
export const NDJSON_CONTENT_TYPE = 'application/x-ndjson';
/** Replay lines are written in chunks of about this many characters (a line is never split). */
const REPLAY_CHUNK_CHARS = 16 * 1024;

const BUCKET_MIN_DAYS: Readonly<Record<TensionBucket, number>> = { day: 1, week: 7, month: 28 };
const CAMEO_PREFIX = /^\d{1,4}$/;

type QueryParams = Readonly<Record<string, unknown>>;

/**
 * The operation ids as first published, when this controller was named for the timeline alone: clients
 * generated from the document name their calls by them.
 */
function publishedOperationId(method: keyof TemporalController): string {
  return `TimelineController_${method}`;
}

function standoffNotFound(standoffId: string): ProblemError {
  return new ProblemError(standoffNotFoundProblem(standoffId));
}

function actorsParam(value: unknown): string[] {
  const actors = listParam('actor', value);
  const bad = actors.find((actor) => !ACTOR_ID_PATTERN.test(actor));
  if (bad !== undefined) {
    throw badRequest('actor', `${JSON.stringify(bad)} is not an actor id (e.g. RUS, NATO, RUS.MIL)`);
  }
  return actors;
}

function typesParam(value: unknown): string[] {
  const types = listParam('type', value);
  const known: readonly string[] = EVENT_TYPES;
  const bad = types.find((type) => !known.includes(type));
  if (bad !== undefined) throw badRequest('type', `${JSON.stringify(bad)} is not an event type`);
  return types;
}

function cameoParam(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badRequest('cameo', 'must be given once, as a single value');
  if (!CAMEO_PREFIX.test(value)) throw badRequest('cameo', 'must be a CAMEO code prefix: 1–4 digits');
  return value;
}

/** `from` (start of a date) and `to` (end of a date), `to` not before `from`. */
function rangeParams(query: QueryParams): { from?: number; to?: number } {
  const from = instantParam('from', query.from, 'start');
  const to = instantParam('to', query.to, 'end');
  if (from !== undefined && to !== undefined && to < from) throw badRequest('to', 'must not be before from');
  return { from, to };
}

@ApiTags('standoffs')
@ApiParam({
  name: 'standoffId',
  description: 'The standoff, `^[a-z0-9][a-z0-9-]{0,63}$`',
  schema: { type: 'string', pattern: ENTITY_ID_PATTERN.source },
})
@ApiProblems({
  400: 'a bad parameter, named in `errors[].path`',
  404: 'the standoff has no accepted event',
})
/** The temporal reads of one standoff over valid and knowledge time: its state, timeline, tension and replay. */
@Controller('v1/standoffs')
export class TemporalController {
  private readonly logger = new Logger(TemporalController.name);

  constructor(private readonly queryBus: QueryBus) {}

  @Get(':standoffId/state')
  @ApiOperation({
    operationId: publishedOperationId('state'),
    summary: 'Where the standoff stood at asOf, as known at knownAt',
    description:
      'The fold of the included events (DESIGN.md §5). A date means the end of that day; both default to now. ' +
      '`version` is the standoff version the answer was computed from.',
  })
  @ApiQuery({ name: 'asOf', required: false, description: 'Valid time: YYYY-MM-DD or RFC 3339; default now' })
  @ApiQuery({
    name: 'knownAt',
    required: false,
    description: 'Knowledge time: YYYY-MM-DD or RFC 3339; default now',
  })
  @ApiOkResponse({ description: 'The state of DESIGN.md §5', content: jsonOf('StandoffState') })
  async state(
    @Param('standoffId') standoffIdText: string,
    @Query() query: QueryParams,
  ): Promise<StandoffState> {
    const standoffId = standoffIdParam(standoffIdText);
    const now = Date.now();
    const asOf = instantParam('asOf', query.asOf, 'end') ?? now;
    const knownAt = instantParam('knownAt', query.knownAt, 'end') ?? now;
    const state = await this.queryBus.execute(new GetStateQuery({ standoffId, asOf, knownAt }));
    if (state === undefined) throw standoffNotFound(standoffId);
    return state;
  }

  @Get(':standoffId/events')
  @ApiOperation({
    operationId: publishedOperationId('timeline'),
    summary: 'The timeline: included events in fold order, a page at a time',
    description:
      'Events in the order (occurredAt, reportedAt, position), fields as corrected as known at knownAt. ' +
      '`nextCursor` (null on the last page) continues the same listing: it pins the first page’s knownAt and ' +
      'the log position then, so later appends neither shift nor repeat items. Give it back with the same ' +
      'filters.',
  })
  @ApiQuery({ name: 'from', required: false, description: 'occurredAt ≥ from (a date: its start)' })
  @ApiQuery({ name: 'to', required: false, description: 'occurredAt ≤ to (a date: its end)' })
  @ApiQuery({
    name: 'actor',
    required: false,
    isArray: true,
    type: String,
    description: 'Repeatable; every one must take part (as actor or target); RUS matches RUS.MIL',
  })
  @ApiQuery({ name: 'type', required: false, isArray: true, type: String, description: 'Repeatable; any of' })
  @ApiQuery({ name: 'cameo', required: false, description: 'A CAMEO code prefix (as corrected)' })
  @ApiQuery({ name: 'knownAt', required: false, description: 'Knowledge time; default now' })
  @ApiQuery({
    name: 'includeRetracted',
    required: false,
    type: Boolean,
    description: 'Add retracted events, marked',
  })
  @ApiQuery({
    name: 'limit',
    required: false,
    type: Number,
    description: `1–${TIMELINE_MAX_LIMIT}, default ${TIMELINE_DEFAULT_LIMIT}`,
  })
  @ApiQuery({ name: 'cursor', required: false, description: 'The previous page’s nextCursor' })
  @ApiOkResponse({ description: 'A page of the timeline', content: jsonOf('TimelinePage') })
  async timeline(
    @Param('standoffId') standoffIdText: string,
    @Query() query: QueryParams,
  ): Promise<TimelinePage> {
    const standoffId = standoffIdParam(standoffIdText);
    const filters: TimelineFilters = {
      ...rangeParams(query),
      actors: actorsParam(query.actor),
      types: typesParam(query.type),
      cameoPrefix: cameoParam(query.cameo),
      includeRetracted: boolParam('includeRetracted', query.includeRetracted),
    };
    const knownAtParam = instantParam('knownAt', query.knownAt, 'end');
    const limit = intParam('limit', query.limit, {
      min: 1,
      max: TIMELINE_MAX_LIMIT,
      default: TIMELINE_DEFAULT_LIMIT,
    });
    let cursor: TimelineCursor | undefined;
    if (query.cursor !== undefined) {
      if (typeof query.cursor !== 'string')
        throw badRequest('cursor', 'must be given once, as a single value');
      const decoded = decodeTimelineCursor(query.cursor, standoffId, filters);
      if ('error' in decoded) throw badRequest('cursor', decoded.error);
      cursor = decoded.cursor;
      if (knownAtParam !== undefined && knownAtParam !== cursor.knownAt) {
        throw badRequest(
          'knownAt',
          'differs from the knownAt the cursor pins: leave it out or repeat the first page’s',
        );
      }
    }
    const page = await this.queryBus.execute(
      new GetTimelineQuery({ standoffId, ...filters, knownAt: knownAtParam ?? Date.now(), limit, cursor }),
    );
    if (page === undefined) throw standoffNotFound(standoffId);
    return page;
  }

  @Get(':standoffId/tension')
  @ApiOperation({
    operationId: publishedOperationId('tension'),
    summary: 'Goldstein and QuadClass figures by day, ISO week or month',
    description:
      `Every bucket from \`from\` to \`to\` (default: the first and last counted event), empty ones with zeros; ` +
      `UTC; weeks start on Monday. \`bucket\` defaults to \`${TENSION_DEFAULT_BUCKET}\`. An explicit range may ` +
      `span at most ${TENSION_MAX_BUCKETS} buckets.`,
  })
  @ApiQuery({ name: 'from', required: false })
  @ApiQuery({ name: 'to', required: false })
  @ApiQuery({ name: 'bucket', required: false, enum: TENSION_BUCKETS })
  @ApiQuery({
    name: 'actor',
    required: false,
    isArray: true,
    type: String,
    description: 'Repeatable; all of',
  })
  @ApiQuery({ name: 'knownAt', required: false })
  @ApiOkResponse({ description: 'The series', content: jsonOf('TensionSeries') })
  async tension(
    @Param('standoffId') standoffIdText: string,
    @Query() query: QueryParams,
  ): Promise<TensionSeries> {
    const standoffId = standoffIdParam(standoffIdText);
    const { from, to } = rangeParams(query);
    const bucket = enumParam('bucket', query.bucket, TENSION_BUCKETS, TENSION_DEFAULT_BUCKET);
    if (
      from !== undefined &&
      to !== undefined &&
      (to - from) / (BUCKET_MIN_DAYS[bucket] * DAY_MS) > TENSION_MAX_BUCKETS
    ) {
      throw badRequest(
        'bucket',
        `from–to spans more than ${TENSION_MAX_BUCKETS} buckets of a ${bucket}: choose a larger bucket or a shorter range`,
      );
    }
    const actors = actorsParam(query.actor);
    const knownAt = instantParam('knownAt', query.knownAt, 'end') ?? Date.now();
    const series = await this.queryBus.execute(
      new GetTensionQuery({ standoffId, from, to, bucket, actors, knownAt }),
    );
    if (series === undefined) throw standoffNotFound(standoffId);
    return series;
  }

  @Get(':standoffId/replay')
  @ApiOperation({
    operationId: publishedOperationId('replay'),
    summary: 'Replay: each included event in fold order, then the state as of until (NDJSON, streamed)',
    description:
      'Lines `{ "event": …, "eventCount": n }`, then `{ "state": … }`. A failure after the first line ends the ' +
      'stream with `{ "error": problem }`.',
  })
  @ApiProduces(NDJSON_CONTENT_TYPE)
  @ApiQuery({ name: 'until', required: false, description: 'Valid time; default now' })
  @ApiQuery({ name: 'knownAt', required: false, description: 'Knowledge time; default now' })
  @ApiOkResponse({
    description: 'application/x-ndjson lines',
    content: {
      [NDJSON_CONTENT_TYPE]: {
        schema: {
          type: 'object',
          description:
            'One line: { event, eventCount }, then { state }, or { error } on a failure mid-stream',
          properties: {
            event: schemaRef('Event'),
            eventCount: { type: 'integer' },
            state: schemaRef('StandoffState'),
            error: schemaRef('Problem'),
          },
        },
      },
    },
  })
  async replay(
    @Param('standoffId') standoffIdText: string,
    @Query() query: QueryParams,
    @Res() res: Response,
  ): Promise<void> {
    const standoffId = standoffIdParam(standoffIdText);
    const now = Date.now();
    const until = instantParam('until', query.until, 'end') ?? now;
    const knownAt = instantParam('knownAt', query.knownAt, 'end') ?? now;
    const lines = await this.queryBus.execute(new ReplayQuery({ standoffId, until, knownAt }));
    if (lines === undefined) throw standoffNotFound(standoffId);

    const iterator = lines[Symbol.asyncIterator]();
    // Until the first line exists, a failure is an ordinary error response.
    let next: IteratorResult<ReplayLine> = await iterator.next();
    res.status(200);
    res.setHeader('Content-Type', `${NDJSON_CONTENT_TYPE}; charset=utf-8`);
    res.setHeader('Cache-Control', 'no-store');
    let buffered = '';
    const flush = async (): Promise<boolean> => {
      const chunk = buffered;
      buffered = '';
      return chunk.length === 0 || writeChunk(res, chunk);
    };
    try {
      while (!next.done) {
        buffered += `${JSON.stringify(next.value)}\n`;
        if (buffered.length >= REPLAY_CHUNK_CHARS && !(await flush())) {
          await iterator.return?.();
          return;
        }
        next = await iterator.next();
      }
    } catch (error) {
      buffered += `${JSON.stringify({ error: this.streamProblem(error, res.req) })}\n`;
    }
    await flush();
    res.end();
  }

  private streamProblem(error: unknown, req: Request): Problem {
    const rendered = toProblem(error);
    if (rendered) return rendered.problem;
    const stack = error instanceof Error ? error.stack : undefined;
    this.logger.error(`${req.method} ${req.originalUrl} failed while streaming: ${String(error)}`, stack);
    return INTERNAL_PROBLEM;
  }
}
