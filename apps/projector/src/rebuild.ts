import { Logger } from '@nestjs/common';
import { openInfrastructureFor } from '../../api/src/bootstrap';
import { loadConfig } from '../../api/src/config/config';
import { ProjectionRunner } from './projection-runner';
import { RebuildJob } from './rebuild-job';

/** `npm run rebuild`: drops the read models and rebuilds them from the log. Stop the projectors first. */
async function main(): Promise<void> {
  const logger = new Logger('Rebuild');
  const infrastructure = await openInfrastructureFor(loadConfig());
  const runner = new ProjectionRunner(infrastructure);
  const job = new RebuildJob(infrastructure, runner);
  const status = await job.run((s) =>
    logger.log(
      `${s.records.applied}/${s.records.total} records, ${s.events} events, ${s.eventsPerSecond} events/s` +
        (s.etaSeconds === null ? '' : `, ETA ${s.etaSeconds} s`),
    ),
  );
  await runner.stop();
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
