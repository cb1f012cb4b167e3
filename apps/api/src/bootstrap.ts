import type { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { openInfrastructure, type Infrastructure } from '@app/read-model/infrastructure';
import { AppModule } from './app.module';
import type { AppConfig } from './config/config';
import { configureHttp } from './http';
import { setupOpenApi } from './operations/openapi';

export interface RunningApp {
  readonly app: NestExpressApplication;
  readonly infrastructure: Infrastructure;
  close(): Promise<void>;
}

export function openInfrastructureFor(
  config: AppConfig,
  overrides: { schema?: string; topic?: string } = {},
) {
  return openInfrastructure({
    databaseUrl: config.databaseUrl ?? undefined,
    kafkaBrokers: config.kafkaBrokers ?? undefined,
    kafkaPartitions: config.kafkaPartitions,
    dataDir: config.dataDir,
    schema: config.databaseSchema ?? undefined,
    topic: config.kafkaTopic,
    clientId: 'standoff-timeline',
    ...overrides,
  });
}

/** The API (and, with `withProjector`, the projector) on opened infrastructure; not listening yet. */
export async function createApp(
  config: AppConfig,
  infrastructure: Infrastructure,
  withProjector: boolean,
  logLevels: LogLevel[] = ['log', 'warn', 'error'],
): Promise<RunningApp> {
  const module = await AppModule.forRoot({ config, infrastructure, withProjector });
  const app = await NestFactory.create<NestExpressApplication>(module, {
    bodyParser: false,
    logger: logLevels,
  });
  configureHttp(app, config);
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
