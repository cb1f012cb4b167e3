import { Controller, Get, Headers, Inject, Logger, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@app/platform/config';
import { DATA_SOURCE } from '@app/platform/tokens';
import type { FeedHub } from '@app/read-model/feed/feed-hub';
import { badRequest, intParam, listParam, standoffIdParam } from '../http/query-params';
import { FEED_HUB } from './feed-hub.provider';
import { currentPosition, itemOf, pageAfter, type FeedSelection } from './feed-selection';
import { FeedStream } from './feed-stream';
import { messageOf } from '@app/domain/error-message';

export const FEED_DEFAULT_LIMIT = 100;
export const FEED_MAX_LIMIT = 1000;

type QueryParams = Readonly<Record<string, unknown>>;

const START_DESCRIPTION =
  'Start: `Last-Event-ID`, else `after` (0: from the beginning), else (SSE) only what comes next. ' +
  'With `Accept: application/json`, one page `{ items, next }` (`after` defaults to 0).';

/** `Last-Event-ID` or `?after=`: the position after which to start; undefined: only what comes next. */
function startParam(lastEventId: string | undefined, query: QueryParams): number | undefined {
  if (lastEventId !== undefined) {
    if (!/^(0|[1-9]\d{0,14})$/.test(lastEventId.trim())) {
      throw badRequest('Last-Event-ID', 'must be a position this feed sent as id');
    }
    return Number(lastEventId.trim());
  }
  return intParam('after', query.after, { min: 0, max: Number.MAX_SAFE_INTEGER });
}

/** The feeds of DESIGN.md §7: SSE (catch-up then live) or, with `Accept: application/json`, a page at a time. */
/** What a feed route answers: one message per accepted event as SSE, or one page as JSON. */
const FEED_RESPONSE = {
  description:
    'text/event-stream: one message per accepted event (id, event, data); application/json: one page',
  content: {
    'text/event-stream': {
      schema: {
        type: 'string' as const,
        description: 'SSE messages: `id:` the version or sequence, `event:` the type, `data:` a feed item',
      },
    },
    'application/json': {
      schema: {
        type: 'object' as const,
        required: ['items', 'next'],
        properties: {
          items: {
            type: 'array' as const,
            items: {
              type: 'object' as const,
              description: 'The event as accepted, with `version` (and `sequence` in the global feed)',
              additionalProperties: true,
            },
          },
          next: {
            type: 'integer' as const,
            description: 'The position to pass as ?after= for the next page',
          },
        },
      },
    },
  },
};

@ApiTags('feeds')
@Controller()
export class FeedController {
  private readonly logger = new Logger(FeedController.name);

  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    @Inject(FEED_HUB) private readonly hub: FeedHub,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('v1/standoffs/:standoffId/feed')
  @ApiOperation({
    summary: "A standoff's accepted events in acceptance order, with the version after each",
    description: `\`id:\` is the version. ${START_DESCRIPTION}`,
  })
  @ApiParam({ name: 'standoffId' })
  @ApiProduces('text/event-stream', 'application/json')
  @ApiQuery({ name: 'after', required: false, type: Number })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: 'Pull only: 1–1000, default 100' })
  @ApiOkResponse(FEED_RESPONSE)
  standoffFeed(
    @Param('standoffId') standoffIdText: string,
    @Query() query: QueryParams,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const selection: FeedSelection = { kind: 'standoff', standoffId: standoffIdParam(standoffIdText) };
    return this.serve(selection, startParam(lastEventId, query), query, req, res);
  }

  @Get('v1/feed')
  @ApiOperation({
    summary: "Every standoff's accepted events by global sequence",
    description: `\`id:\` is the sequence; \`standoff\` may repeat to follow some standoffs only. ${START_DESCRIPTION}`,
  })
  @ApiProduces('text/event-stream', 'application/json')
  @ApiQuery({ name: 'standoff', required: false, isArray: true, type: String })
  @ApiQuery({ name: 'after', required: false, type: Number })
  @ApiQuery({ name: 'limit', required: false, type: Number, description: 'Pull only: 1–1000, default 100' })
  @ApiOkResponse(FEED_RESPONSE)
  globalFeed(
    @Query() query: QueryParams,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const standoffs = listParam('standoff', query.standoff).map((id) => standoffIdParam(id));
    return this.serve({ kind: 'global', standoffs }, startParam(lastEventId, query), query, req, res);
  }

  private async serve(
    selection: FeedSelection,
    after: number | undefined,
    query: QueryParams,
    req: Request,
    res: Response,
  ): Promise<void> {
    if (req.accepts(['text/event-stream', 'application/json']) === 'application/json') {
      const limit = intParam('limit', query.limit, {
        min: 1,
        max: FEED_MAX_LIMIT,
        default: FEED_DEFAULT_LIMIT,
      });
      const from = after ?? 0;
      const rows = await pageAfter(this.db, selection, from, limit);
      const items = rows.map((row) => itemOf(selection, row));
      const next =
        rows.length > 0
          ? selection.kind === 'standoff'
            ? rows[rows.length - 1].version
            : rows[rows.length - 1].sequence
          : from;
      res.setHeader('Cache-Control', 'no-store');
      res.status(200).json({ items, next });
      return;
    }
    const start = after ?? (await currentPosition(this.db, selection));
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Connection', 'keep-alive');
    // Proxies that buffer (nginx) would hold the live events back.
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write(`retry: 1000\n\n`);
    req.socket.setNoDelay(true);
    try {
      await new FeedStream(this.db, this.hub, res, selection, start, this.config.feedHeartbeatMs).run();
    } catch (error) {
      // The headers are sent: end the stream; the client reconnects with Last-Event-ID and misses nothing.
      this.logger.warn(`${req.originalUrl}: the feed stream failed: ${messageOf(error)}`);
    }
    if (!res.writableEnded) res.end();
  }
}
