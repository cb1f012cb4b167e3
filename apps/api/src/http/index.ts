import { Reflector } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AppConfig } from '@app/platform/config';
import { ApiKeysGuard } from './api-keys.guard';
import { configureBodyParsing } from './body-parsing';
import { ProblemFilter } from './problem.filter';

export * from './api-keys.guard';
export * from './body-parsing';
export * from './problem';
export * from './problem.filter';
export * from './query-params';

/**
 * Sets up the HTTP edge the same way for main.ts and the tests: body parsing with its limits, the problem
 * filter, the API key guard. Call it on an app created with `bodyParser: false`, before `init()`/`listen()`.
 */
export function configureHttp(app: NestExpressApplication, config: Pick<AppConfig, 'apiKeys'>): void {
  // The only ETag is the standoff version; Express would otherwise add weak body hashes to other responses.
  app.set('etag', false);
  app.disable('x-powered-by');
  configureBodyParsing(app);
  app.useGlobalFilters(new ProblemFilter());
  app.useGlobalGuards(new ApiKeysGuard(app.get(Reflector), config.apiKeys));
}
