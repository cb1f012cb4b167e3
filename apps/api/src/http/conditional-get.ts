import { createHash } from 'node:crypto';
import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { map, type Observable } from 'rxjs';

/** The routes whose answers carry an ETag (DESIGN.md §7, cheap polling). */
const CONDITIONAL_ROUTES = /^\/v1\/standoffs\/:standoffId\/(state|events|tension)$/;

/**
 * `ETag` and `If-None-Match` → `304` on /state, /events and /tension: a weak tag over the answer's content. The
 * echo of a defaulted `asOf`/`knownAt` ("now") and the cursor (which pins the first page's knownAt) are left out,
 * so that polling with the defaults gets `304` for as long as nothing the answer shows has changed.
 */
@Injectable()
export class ConditionalGetInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    const path = (req.route as { path?: string } | undefined)?.path ?? '';
    if (req.method !== 'GET' || !CONDITIONAL_ROUTES.test(path)) return next.handle();
    return next.handle().pipe(
      map((body: unknown) => {
        if (body === undefined || res.headersSent) return body;
        const tag = entityTag(body);
        res.setHeader('ETag', tag);
        if (matchesIfNoneMatch(req.headers['if-none-match'], tag)) {
          res.status(304);
          return undefined;
        }
        return body;
      }),
    );
  }
}

export function entityTag(body: unknown): string {
  const content =
    typeof body === 'object' && body !== null
      ? Object.fromEntries(
          Object.entries(body).map(([key, value]) =>
            key === 'nextCursor'
              ? [key, value !== null]
              : key === 'asOf' || key === 'knownAt'
                ? [key, null]
                : [key, value],
          ),
        )
      : body;
  const digest = createHash('sha256').update(JSON.stringify(content)).digest('base64url').slice(0, 27);
  return `W/"${digest}"`;
}

/** `If-None-Match` compares weakly: any listed tag, weak or not, or `*`. */
function matchesIfNoneMatch(header: string | undefined, tag: string): boolean {
  if (!header) return false;
  const opaque = (t: string) => t.trim().replace(/^W\//, '');
  return header.split(',').some((candidate) => candidate.trim() === '*' || opaque(candidate) === opaque(tag));
}
