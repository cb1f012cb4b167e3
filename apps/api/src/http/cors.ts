import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AppConfig } from '@app/platform/config';

/**
 * CORS for browser dashboards (DESIGN.md §7): with `CORS_ORIGINS` the listed origins (or any, `*`) may read the
 * GET routes and the feeds, preflight included; writes stay same-origin (a preflight offers GET and HEAD only).
 * Unset: no CORS header at all, so browsers allow the same origin only.
 */
export function configureCors(app: NestExpressApplication, config: Pick<AppConfig, 'corsOrigins'>): void {
  const origins = config.corsOrigins;
  if (origins !== '*' && origins.length === 0) return;
  app.enableCors({
    origin: origins === '*' ? '*' : [...origins],
    methods: ['GET', 'HEAD'],
    allowedHeaders: ['Authorization', 'Accept', 'Last-Event-ID', 'If-None-Match', 'Cache-Control'],
    exposedHeaders: ['ETag', 'Retry-After', 'Location', 'Content-Type'],
    maxAge: 600,
  });
}
