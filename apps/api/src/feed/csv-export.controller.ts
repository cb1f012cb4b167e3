import { Controller, Get, Next, Param, Query, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiExcludeController } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { TemporalController, TIMELINE_MAX_LIMIT } from '../standoffs/temporal.controller';
import { csvRecord, EVENT_CSV_COLUMNS, eventCsvRecord, TENSION_CSV_COLUMNS, tensionCsvRecords } from './csv';
import { writeChunk } from '../http/write-chunk';

type QueryParams = Readonly<Record<string, unknown>>;

/** Rows are written in chunks of about this many characters, waiting for the socket between chunks. */
const CSV_CHUNK_CHARS = 64 * 1024;

/**
 * `Accept: text/csv` on /events and /tension (DESIGN.md §7): every matching row, streamed with a header row.
 * Registered before the JSON routes of the same paths; any other request passes on to them (`next()`). The
 * parameters are read and checked by the JSON handlers themselves, so both answer the same rows and problems.
 */
@ApiExcludeController()
@Controller('v1/standoffs')
export class CsvExportController {
  private readonly json: TemporalController;

  constructor(queryBus: QueryBus) {
    this.json = new TemporalController(queryBus);
  }

  @Get(':standoffId/events')
  async events(
    @Param('standoffId') standoffId: string,
    @Query() query: QueryParams,
    @Req() req: Request,
    @Res() res: Response,
    @Next() next: NextFunction,
  ): Promise<void> {
    if (!wantsCsv(req)) return next();
    const pageAfter = (cursor?: string) =>
      this.json.timeline(standoffId, {
        ...query,
        limit: String(TIMELINE_MAX_LIMIT),
        ...(cursor && { cursor }),
      });
    // The first page answers any problem before the stream starts; the cursor then walks every page.
    let page = await pageAfter();
    const out = csvWriter(res, 'events');
    await out.write(csvRecord(EVENT_CSV_COLUMNS));
    for (;;) {
      for (const event of page.items) if (!(await out.write(eventCsvRecord(event)))) return;
      if (page.nextCursor === null) break;
      page = await pageAfter(page.nextCursor);
    }
    await out.end();
  }

  @Get(':standoffId/tension')
  async tension(
    @Param('standoffId') standoffId: string,
    @Query() query: QueryParams,
    @Req() req: Request,
    @Res() res: Response,
    @Next() next: NextFunction,
  ): Promise<void> {
    if (!wantsCsv(req)) return next();
    const series = await this.json.tension(standoffId, query);
    const out = csvWriter(res, 'tension');
    await out.write(csvRecord(TENSION_CSV_COLUMNS));
    for (const record of tensionCsvRecords(series)) if (!(await out.write(record))) return;
    await out.end();
  }
}

function wantsCsv(req: Request): boolean {
  return (
    req.accepts(['application/json', 'text/csv']) === 'text/csv' && /text\/csv/.test(req.headers.accept ?? '')
  );
}

/** Buffers small records into chunks and respects backpressure; write() is false once the client has gone. */
function csvWriter(res: Response, name: string) {
  res.status(200);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8; header=present');
  res.setHeader('Content-Disposition', `inline; filename="${name}.csv"`);
  res.setHeader('Cache-Control', 'no-store');
  let buffered = '';
  const flush = (): Promise<boolean> => {
    const chunk = buffered;
    buffered = '';
    return writeChunk(res, chunk);
  };
  return {
    async write(record: string): Promise<boolean> {
      buffered += record;
      return buffered.length < CSV_CHUNK_CHARS || flush();
    },
    async end(): Promise<void> {
      if (await flush()) res.end();
    },
  };
}
