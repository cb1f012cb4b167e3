import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { openInfrastructureFor } from '@app/platform/infrastructure';
import { loadConfig } from '@app/platform/config';
import type { ProjectionRunner } from '@app/projection/projection-runner';
import { PROJECTION_RUNNER } from '@app/projection/projector.module';
import { ProjectorAppModule } from './projector-app.module';

/** `npm run start:projector`: the projector alone, one member of the consumer group. */
async function main(): Promise<void> {
  const logger = new Logger('Projector');
  const config = loadConfig();
  const infrastructure = await openInfrastructureFor(config);
  const app = await NestFactory.createApplicationContext(ProjectorAppModule.forRoot(config, infrastructure));
  await app.init();
  const refusal = app.get<ProjectionRunner>(PROJECTION_RUNNER).refusal;
  if (refusal) {
    await app.close();
    await infrastructure.close();
    throw new Error(`refusing to project: ${refusal}`);
  }
  const shutdown = async () => {
    await app.close();
    await infrastructure.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
  logger.log(
    `projector running (database: ${infrastructure.mode.database}, log: ${infrastructure.mode.log})`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
