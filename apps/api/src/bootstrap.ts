import type { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Infrastructure } from '@app/platform/infrastructure';
import { AppModule } from './app.module';
import type { AppConfig } from '@app/platform/config';
import { configureHttp } from './http';
import { Metrics } from './operations/metrics';
import { ConditionalGetInterceptor } from './http/conditional-get';
import { configureCors } from './http/cors';
import { setupOpenApi } from './operations/openapi';
import { JsonLogger } from '@app/platform/logging/json-logger';

export interface RunningApp {
  readonly app: NestExpressApplication;
  readonly infrastructure: Infrastructure;
  close(): Promise<void>;
}

/** The API (and, with `withProjector`, the projector) on opened infrastructure; not listening yet. */
export async function createApp(
  config: AppConfig,
  infrastructure: Infrastructure,
  withProjector: boolean,
  logLevels: LogLevel[] = ['log', 'warn', 'error'],
): Promise<RunningApp> {
  const module = AppModule.forRoot({ config, infrastructure, withProjector });
  const app = await NestFactory.create<NestExpressApplication>(module, {
    bodyParser: false,
    logger: new JsonLogger(logLevels),
  });
  const metrics = app.get(Metrics);
  configureHttp(app, config, { observe: (request) => metrics.httpRequest(request) });
  configureCors(app, config);
  app.useGlobalInterceptors(new ConditionalGetInterceptor());
  setupOpenApi(app);
  await app.init();
  return {
    app,
    infrastructure,
    async close() {
      await app.close();
      await infrastructure.close();
    },
  };
}
