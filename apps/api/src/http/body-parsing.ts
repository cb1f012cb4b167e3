import type { NestExpressApplication } from '@nestjs/platform-express';
import { json } from 'express';
import { isUtf8 } from 'node:buffer';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ProblemError } from './problem';
import { problemErrorMiddleware } from './problem.filter';
import { malformedBody, malformedJson, unsupportedMediaType } from './problems';

export const EVENT_BODY_LIMIT = 64 * 1024;
export const BATCH_BODY_LIMIT = 1024 * 1024;
/** Routes without a limit of their own (admin, future writes) get the single event's. */
export const DEFAULT_BODY_LIMIT = EVENT_BODY_LIMIT;

/** Express 5 (path-to-regexp 8) reads `:batch` as a parameter unless the colon is escaped. */
export const EVENT_ROUTE = '/v1/standoffs/:standoffId/events';
export const BATCH_ROUTE = '/v1/standoffs/:standoffId/events\\:batch';

export const JSON_MEDIA_TYPES = ['application/json', 'application/*+json'];
export const METHODS_WITH_BODY: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH']);

/** The bytes of the body read, recorded by the parser: none means an empty body. */
const BODY_BYTES = Symbol('bodyBytes');
type WithBodyBytes = Request & { [BODY_BYTES]?: number };

/** A body with no bytes (`Content-Length: 0`) is no body: it needs no content type. */
export function carriesBody(req: Request): boolean {
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
  if (req.is(JSON_MEDIA_TYPES)) {
    const charset = charsetOf(req.headers['content-type']);
    if (charset === undefined || charset === 'utf-8' || charset === 'utf8') return next();
    return next(
      new ProblemError(
        unsupportedMediaType(
          `The request body is in charset ${JSON.stringify(charset)}; JSON bodies must be UTF-8 (RFC 8259).`,
        ),
        { 'Accept-Post': 'application/json' },
      ),
    );
  }
  const given = req.headers['content-type'];
  next(
    new ProblemError(
      unsupportedMediaType(
        given
          ? `The request body is ${JSON.stringify(given)}; this API reads application/json only.`
          : 'The request body has no Content-Type; this API reads application/json only.',
      ),
      { 'Accept-Post': 'application/json' },
    ),
  );
}

function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(contentType ?? '');
  return match ? match[1].toLowerCase() : undefined;
}

/**
 * Records how many bytes the body had and refuses invalid UTF-8, which the decoder would otherwise turn
 * into U+FFFD and store as if the client had sent it.
 */
function verifyUtf8(req: WithBodyBytes, _res: unknown, body: Buffer): void {
  req[BODY_BYTES] = body.length;
  if (!isUtf8(body)) {
    throw new ProblemError(malformedJson('The request body is not valid UTF-8.'));
  }
}

function jsonParser(limit: number): RequestHandler {
  return json({ limit, strict: true, type: JSON_MEDIA_TYPES, verify: verifyUtf8 });
}

/** The event routes need a body: an empty one (`Content-Length: 0`, or chunked with no bytes) is unreadable. */
function requireNonEmptyBody(req: WithBodyBytes, _res: Response, next: NextFunction): void {
  if ((req[BODY_BYTES] ?? 0) > 0) return next();
  next(new ProblemError(malformedJson('The request body is empty: it must be JSON.')));
}

/**
 * body-parser reports a body that does not decompress as its Content-Encoding says (gzip on a plain body)
 * as a bare 400 without a type, which would read as a 500: name it.
 */
function undecodableBody(err: unknown, _req: Request, _res: Response, next: NextFunction): void {
  const { status, code } = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>;
  if (status === 400 && typeof code === 'string' && code.startsWith('Z_')) {
    next(new ProblemError(malformedBody()));
    return;
  }
  next(err);
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
  express.post(EVENT_ROUTE, jsonParser(EVENT_BODY_LIMIT), requireNonEmptyBody);
  express.post(BATCH_ROUTE, jsonParser(BATCH_BODY_LIMIT), requireNonEmptyBody);
  express.use(jsonParser(DEFAULT_BODY_LIMIT));
  express.use(undecodableBody);
  express.use(problemErrorMiddleware);
}
