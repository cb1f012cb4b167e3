import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { outageProblem } from './outage';
import { PROBLEM_CONTENT_TYPE, Problem, ProblemError, ProblemFieldError, problem } from './problem';

/** A problem and the headers that go with it (`WWW-Authenticate`, `ETag`, `Retry-After`, …). */
export interface RenderedProblem {
  readonly problem: Problem;
  readonly headers: Readonly<Record<string, string>>;
}

/** Stable `type` slugs for the failures the HTTP edge itself reports. */
export const PROBLEM_SLUGS: Readonly<Record<number, string>> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  406: 'not-acceptable',
  409: 'conflict',
  412: 'precondition-failed',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  422: 'unprocessable-content',
  429: 'too-many-requests',
  500: 'internal-error',
  501: 'not-implemented',
  503: 'service-unavailable',
};

function titleOf(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

/** The generic problem for a status, for errors that carry nothing more specific. */
export function statusProblem(
  status: number,
  detail: string,
  errors?: readonly ProblemFieldError[],
): Problem {
  const slug = PROBLEM_SLUGS[status] ?? (status >= 500 ? 'internal-error' : 'bad-request');
  return problem(slug, titleOf(status), status, detail, errors);
}

/** Errors from body-parser / raw-body (http-errors instances) carry a `type` such as `entity.too.large`. */
interface BodyParserError {
  readonly status: number;
  readonly type: string;
  readonly message: string;
  readonly expose?: boolean;
  readonly limit?: number;
}

function isBodyParserError(e: unknown): e is BodyParserError {
  if (typeof e !== 'object' || e === null) return false;
  const { status, type } = e as Record<string, unknown>;
  return (
    typeof status === 'number' &&
    typeof type === 'string' &&
    /^(entity|request|charset|encoding|stream)\./.test(type)
  );
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

function bodyParserProblem(e: BodyParserError): Problem {
  switch (e.type) {
    case 'entity.parse.failed':
      return problem(
        'malformed-json',
        'Malformed JSON',
        400,
        `The request body is not valid JSON: ${e.message}`,
      );
    case 'entity.too.large':
      return problem(
        'payload-too-large',
        'Payload Too Large',
        413,
        typeof e.limit === 'number'
          ? `The request body exceeds the limit of ${formatBytes(e.limit)} for this route.`
          : 'The request body exceeds the limit for this route.',
      );
    case 'charset.unsupported':
      return problem(
        'unsupported-media-type',
        'Unsupported Media Type',
        415,
        `${e.message}: JSON bodies must be UTF-8.`,
      );
    case 'encoding.unsupported':
      return problem('unsupported-media-type', 'Unsupported Media Type', 415, `${e.message}.`);
    default:
      return e.status < 500 && e.expose !== false
        ? statusProblem(e.status, `The request body could not be read: ${e.message}.`)
        : statusProblem(500, 'The server failed to handle the request.');
  }
}

function httpExceptionProblem(e: HttpException): Problem {
  const status = e.getStatus();
  const body = e.getResponse();
  if (typeof body === 'string') return statusProblem(status, body);
  const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  // Someone threw an HttpException around a ready problem.
  if (
    typeof record.type === 'string' &&
    typeof record.title === 'string' &&
    typeof record.detail === 'string'
  ) {
    return { ...(record as unknown as Problem), status };
  }
  const message = record.message;
  if (Array.isArray(message)) {
    const messages = message.map(String);
    return statusProblem(
      status,
      messages.join('; '),
      messages.map((m) => ({ path: '', message: m })),
    );
  }
  return statusProblem(status, typeof message === 'string' ? message : e.message);
}

/**
 * Maps anything thrown to the problem it is rendered as; `undefined` when it is unexpected (a 500 whose
 * cause must be logged, not shown).
 */
export function toProblem(exception: unknown): RenderedProblem | undefined {
  if (exception instanceof ProblemError) return { problem: exception.problem, headers: exception.headers };
  if (exception instanceof HttpException) {
    const rendered = httpExceptionProblem(exception);
    return rendered.status >= 500 ? undefined : { problem: rendered, headers: {} };
  }
  if (isBodyParserError(exception)) {
    const rendered = bodyParserProblem(exception);
    return rendered.status >= 500 ? undefined : { problem: rendered, headers: {} };
  }
  return outageProblem(exception);
}

export const INTERNAL_PROBLEM = statusProblem(500, 'The server failed to handle the request.');

const logger = new Logger('ProblemFilter');

/** Writes a problem response; the one place the problem+json format is produced. */
export function sendProblem(res: Response, rendered: RenderedProblem): void {
  if (res.headersSent) {
    // Too late for a status: cut the response so the client sees it is incomplete.
    res.destroy();
    return;
  }
  // Headers set for the success path (an ETag of the new version, a Location) do not describe the error.
  for (const name of ['etag', 'location', 'retry-after', 'content-length']) res.removeHeader(name);
  res.status(rendered.problem.status);
  for (const [name, value] of Object.entries(rendered.headers)) res.setHeader(name, value);
  res.setHeader('Content-Type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
  res.send(JSON.stringify(rendered.problem));
}

/** Renders an exception, logging (never showing) whatever was not expected. */
export function renderException(exception: unknown, req: Request, res: Response): void {
  const rendered = toProblem(exception);
  if (rendered) {
    sendProblem(res, rendered);
    return;
  }
  const stack = exception instanceof Error ? exception.stack : undefined;
  logger.error(`${req.method} ${req.originalUrl ?? req.url} failed: ${String(exception)}`, stack);
  // A deliberate 5xx HttpException (501, 503) keeps its status; its message stays in the log.
  const status = exception instanceof HttpException ? exception.getStatus() : 500;
  sendProblem(res, {
    problem: status > 500 && status < 600 ? statusProblem(status, INTERNAL_PROBLEM.detail) : INTERNAL_PROBLEM,
    headers: {},
  });
}

/** The global filter: every error of an HTTP request leaves as `application/problem+json`. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    renderException(exception, http.getRequest<Request>(), http.getResponse<Response>());
  }
}

/**
 * An Express error middleware for errors raised before Nest routes a request (body parsing, the content
 * type check): the same rendering as {@link ProblemFilter}.
 */
export function problemErrorMiddleware(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  renderException(err, req, res);
}
