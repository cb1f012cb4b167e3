import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Server } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApiKeyRing } from './api-key-ring';
import { forbidden } from './api-key-ring';
import type { Authenticated } from './api-keys.guard';
import { carriesBody, METHODS_WITH_BODY } from './body-parsing';
import { PROBLEM_CONTENT_TYPE, ProblemError } from './problem';
import { statusProblem } from './problem.filter';
import { invalidPathEncoding } from './problems';

/**
 * A path that is not valid percent-encoding (`/v1/standoffs/%zz/events`) would make the router throw a
 * URIError while it matches parameters, which reads as a 500: refuse it as the bad request it is.
 */
export function refuseUndecodablePath(req: Request, _res: Response, next: NextFunction): void {
  try {
    decodeURIComponent(req.path);
  } catch {
    next(new ProblemError(invalidPathEncoding()));
    return;
  }
  next();
}

/**
 * With `API_KEYS` set, a request that sends a body is authenticated before a byte of it is read: a client
 * without a key learns nothing about the body rules (400, 413, 415) and costs no parsing. The writer or admin
 * role is needed to send a body at all; the guard then checks the route's own role.
 */
export function authenticateBeforeBody(ring: ApiKeyRing): RequestHandler {
  return (req: Request & { auth?: Authenticated }, _res, next) => {
    if (!ring.enabled || (!METHODS_WITH_BODY.has(req.method) && !carriesBody(req))) return next();
    try {
      const roles = ring.rolesOf(req.headers.authorization);
      const needed = ['writer', 'admin'] as const;
      if (!needed.some((role) => roles.has(role))) throw forbidden(needed, roles);
      req.auth = { roles };
    } catch (error) {
      return next(error);
    }
    next();
  };
}

/** Explicit server timeouts (Node's defaults are minutes); keep-alive shorter than the header timeout. */
export const SERVER_TIMEOUTS = {
  /** The request line and headers must arrive within this (slowloris). */
  headersTimeoutMs: 15_000,
  /** The whole request, body included, must arrive within this; a response may take longer (replay). */
  requestTimeoutMs: 30_000,
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: 5_000,
} as const;

export function applyServerTimeouts(server: Server): void {
  server.headersTimeout = SERVER_TIMEOUTS.headersTimeoutMs;
  server.requestTimeout = SERVER_TIMEOUTS.requestTimeoutMs;
  server.keepAliveTimeout = SERVER_TIMEOUTS.keepAliveTimeoutMs;
}

function clientErrorStatus(code: string | undefined): number {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return 431;
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return 413;
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 408;
    default:
      return 400;
  }
}

function clientErrorDetail(status: number): string {
  switch (status) {
    case 431:
      return 'The request headers are too large.';
    case 413:
      return 'The request framing is too large.';
    case 408:
      return 'The request did not arrive in time.';
    default:
      return 'The request is not valid HTTP/1.1 (method, request line, headers or framing).';
  }
}

/**
 * Node answers what its HTTP parser refuses (431, 400 for a bad method or framing, 408) with an empty body
 * before any of our code sees the request: answer with a problem like every other error instead.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const inResponse = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inResponse?.headersSent) {
      socket.destroy();
      return;
    }
    const status = clientErrorStatus(error.code);
    const body = JSON.stringify(statusProblem(status, clientErrorDetail(status)));
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
}
