import { Reflector } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AppConfig } from '@app/platform/config';
import { ApiKeyRing } from './api-key-ring';
import { ApiKeysGuard } from './api-keys.guard';
import { configureBodyParsing } from './body-parsing';
import { ProblemFilter } from './problem.filter';
import { RateLimitGuard } from './rate-limit.guard';
import { reenterLogContext, requestLog, type RequestObserver } from './request-log';
import { securityHeaders } from './security-headers';
import {
  answerClientErrors,
  applyServerTimeouts,
  authenticateBeforeBody,
  refuseUndecodablePath,
} from './request-edge';

export * from './api-key-ring';
export * from './api-keys.guard';
export * from './body-parsing';
export * from './problem';
export * from './problem.filter';
export * from './query-params';
export * from './rate-limit.guard';
export * from './request-edge';
export * from './request-log';
export * from './security-headers';

/**
 * Sets up the HTTP edge the same way for main.ts and the tests: body parsing with its limits, the problem
 * filter, the API key guard. Call it on an app created with `bodyParser: false`, before `init()`/`listen()`.
 */
export interface HttpEdgeOptions {
  /** Told of every finished request (the HTTP metrics). */
  readonly observe?: RequestObserver;
}

export function configureHttp(
  app: NestExpressApplication,
  config: Pick<AppConfig, 'apiKeys'> & Partial<Pick<AppConfig, 'rateLimitPerMinute'>>,
  options: HttpEdgeOptions = {},
): void {
  // The only ETag is the standoff version; Express would otherwise add weak body hashes to other responses.
  app.set('etag', false);
  app.disable('x-powered-by');
  const server = app.getHttpServer();
  applyServerTimeouts(server);
  answerClientErrors(server);
  const ring = new ApiKeyRing(config.apiKeys);
  const express = app.getHttpAdapter().getInstance();
  express.use(requestLog(options.observe));
  express.use(securityHeaders());
  express.use(refuseUndecodablePath);
  // Before the body is read: a client without a key gets its 401 whatever it sent.
  express.use(authenticateBeforeBody(ring));
  configureBodyParsing(app);
  express.use(reenterLogContext);
  app.useGlobalFilters(new ProblemFilter());
  const reflector = app.get(Reflector);
  // In this order: a request gets a budget of its own only once its key is known.
  app.useGlobalGuards(
    new ApiKeysGuard(reflector, ring),
    ...(config.rateLimitPerMinute ? [RateLimitGuard.create(reflector, config.rateLimitPerMinute)] : []),
  );
}
