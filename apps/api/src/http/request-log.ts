import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { ENTITY_ID_PATTERN } from '@app/domain/events';
import { withLogContext, type LogContext } from '@app/platform/logging/log-context';

/** The request's log context, kept on it to be entered again where Node loses it. */
const LOG_CONTEXT = Symbol('logContext');
type WithLogContext = Request & { [LOG_CONTEXT]?: LogContext };

/** A client's request id is taken as given when it is this tame; otherwise one is made. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const STANDOFF_IN_PATH = new RegExp(`^/v1/standoffs/(${ENTITY_ID_PATTERN.source.slice(1, -1)})(?:/|$)`);
/** Probes and scrapes come every few seconds: logged at debug, not in the access log proper. */
const QUIET_PATHS = /^\/(health\/|metrics$)/;

/** One finished request, for the metrics. `route` is the route's pattern, never the raw path. */
export interface FinishedRequest {
  readonly method: string;
  readonly route: string;
  readonly status: number;
  readonly seconds: number;
}

export type RequestObserver = (request: FinishedRequest) => void;

/**
 * First of the HTTP edge: gives the request its id (`X-Request-Id`, the client's or a new UUID, returned on
 * the response), runs everything after it in a log context that names the request and its standoff, and on
 * finish writes the access log entry and tells the observer (the HTTP metrics).
 */
export function requestLog(
  observe?: RequestObserver,
): (req: Request, res: Response, next: NextFunction) => void {
  const access = new Logger('Access');
  return (req: WithLogContext, res, next) => {
    const started = process.hrtime.bigint();
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const standoffId = STANDOFF_IN_PATH.exec(req.path)?.[1];
    const context = { requestId, ...(standoffId ? { standoffId } : {}) };
    req[LOG_CONTEXT] = context;
    res.once('finish', () =>
      withLogContext(context, () => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const route = (req.route as { path?: unknown } | undefined)?.path;
        const finished = {
          method: req.method,
          route: typeof route === 'string' ? route : res.statusCode === 404 ? '(unmatched)' : '(edge)',
          status: res.statusCode,
          seconds,
        };
        observe?.(finished);
        const entry = {
          message: `${req.method} ${req.originalUrl} ${res.statusCode} ${(seconds * 1000).toFixed(1)} ms`,
          method: req.method,
          path: req.path,
          route: finished.route,
          status: res.statusCode,
          durationMs: Math.round(seconds * 10_000) / 10,
          client: req.ip,
        };
        if (QUIET_PATHS.test(req.path)) access.debug(entry);
        else access.log(entry);
      }),
    );
    withLogContext(context, next);
  };
}

/**
 * Enters the request's log context again. The body is read in the socket's callbacks, which run outside the
 * context `requestLog` entered: install this after the body parsers.
 */
export function reenterLogContext(req: WithLogContext, _res: Response, next: NextFunction): void {
  const context = req[LOG_CONTEXT];
  if (context) withLogContext(context, next);
  else next();
}
