import { writeFile } from 'node:fs/promises';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { openInfrastructureFor } from '@app/platform/infrastructure';
import { loadConfig } from '@app/platform/config';
import { JsonLogger } from '@app/platform/logging/json-logger';
import type { ProjectionRunner } from '@app/projection/projection-runner';
import { PROJECTION_RUNNER } from '@app/projection/projector.module';
import { ProjectorAppModule } from './projector-app.module';

/** `npm run start:projector`: the projector alone, one member of the consumer group. */
async function main(): Promise<void> {
  // Before anything logs: every Logger of the process, the event-log adapters' included, writes JSON lines.
  const json = new JsonLogger();
  Logger.overrideLogger(json);
  const logger = new Logger('Projector');
  const config = loadConfig();
  const infrastructure = await openInfrastructureFor(config);
  const app = await NestFactory.createApplicationContext(ProjectorAppModule.forRoot(config, infrastructure), {
    logger: json,
  });
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
  const heartbeat = startHeartbeat(process.env.HEARTBEAT_FILE);
  process.on('exit', () => clearInterval(heartbeat));
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
  logger.log(
    `projector running (database: ${infrastructure.mode.database}, log: ${infrastructure.mode.log})`,
  );
}

/**
 * A container healthcheck for a process without HTTP: while the projector runs, the file's modification time
 * is kept within HEARTBEAT_INTERVAL_MS of now (docker-compose.yml checks it is under 30 s old).
 */
const HEARTBEAT_INTERVAL_MS = 5000;

function startHeartbeat(file: string | undefined): NodeJS.Timeout | undefined {
  if (!file) return undefined;
  const beat = () => writeFile(file, new Date().toISOString()).catch(() => undefined);
  void beat();
  return setInterval(() => void beat(), HEARTBEAT_INTERVAL_MS).unref();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
