import { Logger } from '@nestjs/common';
import { openInfrastructureFor } from '@app/platform/infrastructure';
import { loadConfig } from '@app/platform/config';
import { JsonLogger } from '@app/platform/logging/json-logger';
import { RebuildJob } from '@app/projection/rebuild-job';

/**
 * `npm run rebuild`: rebuilds the read models from the log beside the live ones and switches when complete.
 * Stop the projectors first: the switch would otherwise race their writes.
 */
async function main(): Promise<void> {
  // Before anything logs: this job, like the apps, writes JSON lines, the event-log adapters' included.
  Logger.overrideLogger(new JsonLogger());
  const logger = new Logger('Rebuild');
  const infrastructure = await openInfrastructureFor(loadConfig());
  const job = new RebuildJob(infrastructure);
  const status = await job.run((s) =>
    logger.log(
      `${s.records.applied}/${s.records.total} records, ${s.events} events, ${s.eventsPerSecond} events/s` +
        (s.etaSeconds === null ? '' : `, ETA ${s.etaSeconds} s`),
    ),
  );
  await infrastructure.close();
  if (status.state !== 'done') {
    console.error(`rebuild failed: ${status.error}`);
    process.exit(1);
  }
  logger.log(`rebuilt ${status.events} events from ${status.records.total} log records`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
