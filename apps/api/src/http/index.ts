import { Reflector } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AppConfig } from '@app/platform/config';
import { ApiKeyRing } from './api-key-ring';
import { ApiKeysGuard } from './api-keys.guard';
import { configureBodyParsing } from './body-parsing';
import { ProblemFilter } from './problem.filter';
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
export * from './request-edge';

/**
 * Sets up the HTTP edge the same way for main.ts and the tests: body parsing with its limits, the problem
 * filter, the API key guard. Call it on an app created with `bodyParser: false`, before `init()`/`listen()`.
 */
export function configureHttp(app: NestExpressApplication, config: Pick<AppConfig, 'apiKeys'>): void {
  // The only ETag is the standoff version; Express would otherwise add weak body hashes to other responses.
  app.set('etag', false);
  app.disable('x-powered-by');
  const server = app.getHttpServer();
  applyServerTimeouts(server);
  answerClientErrors(server);
  const ring = new ApiKeyRing(config.apiKeys);
  const express = app.getHttpAdapter().getInstance();
  express.use(refuseUndecodablePath);
  // Before the body is read: a client without a key gets its 401 whatever it sent.
  express.use(authenticateBeforeBody(ring));
  configureBodyParsing(app);
  app.useGlobalFilters(new ProblemFilter());
  app.useGlobalGuards(new ApiKeysGuard(app.get(Reflector), ring));
}
