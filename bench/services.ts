import { execFileSync } from 'node:child_process';
import { parseServiceLines } from '../test/support/global-setup';

/** Starts Kafka and Postgres with scripts/services-up.sh (idempotent) unless both are given, as the tests do. */
export function ensureServices(): void {
  if (process.env.DATABASE_URL && process.env.KAFKA_BROKERS) return;
  const out = execFileSync('bash', ['scripts/services-up.sh'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  Object.assign(process.env, parseServiceLines(out));
}
