import type { NestExpressApplication } from '@nestjs/platform-express';
import { json } from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { problem, ProblemError } from './problem';
import { problemErrorMiddleware } from './problem.filter';

export const EVENT_BODY_LIMIT = 64 * 1024;
export const BATCH_BODY_LIMIT = 1024 * 1024;
/** Routes without a limit of their own (admin, future writes) get the single event's. */
export const DEFAULT_BODY_LIMIT = EVENT_BODY_LIMIT;

/** Express 5 (path-to-regexp 8) reads `:batch` as a parameter unless the colon is escaped. */
export const EVENT_ROUTE = '/v1/standoffs/:standoffId/events';
export const BATCH_ROUTE = '/v1/standoffs/:standoffId/events\\:batch';

export const JSON_MEDIA_TYPES = ['application/json', 'application/*+json'];
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** A body with no bytes (`Content-Length: 0`) is no body: it needs no content type. */
function carriesBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = Number(req.headers['content-length']);
  return Number.isFinite(length) && length > 0;
}

/**
 * 415 for a body that is not JSON. Without it Express would hand the handler `undefined` for `text/plain`,
 * indistinguishable from an empty request.
 */
export function requireJsonBody(req: Request, _res: Response, next: NextFunction): void {
  if (!METHODS_WITH_BODY.has(req.method) || !carriesBody(req)) return next();
  if (req.is(JSON_MEDIA_TYPES)) return next();
  const given = req.headers['content-type'];
  next(
    new ProblemError(
      problem(
        'unsupported-media-type',
        'Unsupported Media Type',
        415,
        given
          ? `The request body is ${JSON.stringify(given)}; this API reads application/json only.`
          : 'The request body has no Content-Type; this API reads application/json only.',
      ),
      { 'Accept-Post': 'application/json' },
    ),
  );
}

function jsonParser(limit: number): RequestHandler {
  return json({ limit, strict: true, type: JSON_MEDIA_TYPES });
}

/**
 * Installs the request body handling. The app must be created with `bodyParser: false` (Nest's own parser
 * would read bodies with its 100 KiB default) and this must run before `app.init()`/`listen()`, so that
 * these handlers precede Nest's routes. Errors raised here (malformed JSON 400, too large 413, unsupported
 * charset or type 415) are rendered by the same code as the global problem filter.
 */
export function configureBodyParsing(app: NestExpressApplication): void {
  const express = app.getHttpAdapter().getInstance();
  express.use(requireJsonBody);
  // A route-specific parser reads the body first; the later, general one sees it consumed and passes.
  express.post(EVENT_ROUTE, jsonParser(EVENT_BODY_LIMIT));
  express.post(BATCH_ROUTE, jsonParser(BATCH_BODY_LIMIT));
  express.use(jsonParser(DEFAULT_BODY_LIMIT));
  express.use(problemErrorMiddleware);
}
