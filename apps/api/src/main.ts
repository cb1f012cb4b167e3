import { Logger } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { openInfrastructureFor } from '@app/platform/infrastructure';
import { createApp } from './bootstrap';
import { JsonLogger } from '@app/platform/logging/json-logger';
import { assertBindable, loadConfig } from '@app/platform/config';
import { loadSeed } from './seed/seed-loader';
import { ListStandoffsQuery } from './standoffs/queries/standoffs.query';

/**
 * `npm start`: the API and the projector in one process, on the embedded defaults when no Kafka or Postgres is
 * configured, with the seed scenario on an empty store. `npm run start:api`: the API alone.
 */
async function main(): Promise<void> {
  // Before anything logs: every Logger of the process, the event-log adapters' included, writes JSON lines.
  Logger.overrideLogger(new JsonLogger());
  const logger = new Logger('Main');
  const config = loadConfig();
  assertBindable(config);
  const withProjector = process.argv.includes('--with-projector');
  const infrastructure = await openInfrastructureFor(config);
  const running = await createApp(config, infrastructure, withProjector);
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal}: shutting down`);
    await running.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  // Seeded before listening, so that nobody sees a half-loaded seed.
  if (withProjector && config.seed) {
    const standoffs = await running.app.get(QueryBus).execute(new ListStandoffsQuery());
    if (standoffs.length === 0) await loadSeed(running.app.get(CommandBus));
  }
  await running.app.listen(config.port, config.host);
  const { mode } = infrastructure;
  logger.log(
    `listening on http://${config.host}:${config.port} (database: ${mode.database}, log: ${mode.log}` +
      `${withProjector ? ', projector in process' : ''})`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
