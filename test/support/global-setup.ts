import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** The projects that need the real Kafka and Postgres; `jest --selectProjects unit` starts nothing. */
const PROJECTS_WITH_SERVICES = ['integration', 'e2e'];

interface GlobalConfigLike {
  selectProjects?: string[];
}

/** The project names given to `--selectProjects` (jest does not pass them to globalSetup in its config). */
export function selectedProjects(
  argv: readonly string[],
  globalConfig?: GlobalConfigLike,
): string[] | undefined {
  if (globalConfig?.selectProjects && globalConfig.selectProjects.length > 0)
    return globalConfig.selectProjects;
  const names: string[] = [];
  let found = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith('--selectProjects=')) {
      found = true;
      names.push(...arg.slice('--selectProjects='.length).split(','));
    } else if (arg === '--selectProjects') {
      found = true;
      while (i + 1 < argv.length && !argv[i + 1].startsWith('-')) names.push(argv[++i]);
    }
  }
  return found ? names : undefined;
}

/** Reads `KEY=value` lines printed by scripts/services-up.sh. */
export function parseServiceLines(stdout: string): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const match = /^(KAFKA_BROKERS|DATABASE_URL)=(\S+)$/.exec(line.trim());
    if (match) settings[match[1]] = match[2];
  }
  return settings;
}

/**
 * The browser tests need the built page (scripts/build-web.sh, skipped when it is up to date) and Debian's
 * Chromium (scripts/ensure-chromium.sh installs it with apt-get when it is missing).
 */
function preparePageTests(): void {
  const root = join(__dirname, '..', '..');
  for (const script of ['build-web.sh', 'ensure-chromium.sh']) {
    try {
      execFileSync('bash', [join(root, 'scripts', script)], {
        cwd: root,
        stdio: ['ignore', 'inherit', 'inherit'],
        timeout: 10 * 60 * 1000,
      });
    } catch (error) {
      throw new Error(`scripts/${script} failed (its messages are above): ${(error as Error).message}`);
    }
  }
}

/**
 * jest globalSetup: when KAFKA_BROKERS is not set, start the real services with scripts/services-up.sh (idempotent:
 * it reuses a running broker) and export KAFKA_BROKERS and DATABASE_URL for the tests (which run in band, in this
 * process). A DATABASE_URL that is already set is kept. The services stay up after the run; `npm run services:down`
 * stops them.
 */
export default async function globalSetup(globalConfig?: GlobalConfigLike): Promise<void> {
  const selected = selectedProjects(process.argv, globalConfig);
  if (selected && !selected.some((name) => PROJECTS_WITH_SERVICES.includes(name))) {
    return;
  }
  if (!selected || selected.includes('e2e')) preparePageTests();
  if (process.env.KAFKA_BROKERS) return;

  const script = join(__dirname, '..', '..', 'scripts', 'services-up.sh');
  const keepDatabaseUrl = Boolean(process.env.DATABASE_URL);
  let stdout: string;
  try {
    stdout = execFileSync('bash', [script], {
      cwd: join(__dirname, '..', '..'),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...(keepDatabaseUrl ? { SERVICES_SKIP_POSTGRES: '1' } : {}) },
      timeout: 15 * 60 * 1000,
    });
  } catch (error) {
    throw new Error(`scripts/services-up.sh failed (its messages are above): ${(error as Error).message}`);
  }

  const settings = parseServiceLines(stdout);
  if (!settings.KAFKA_BROKERS || (!keepDatabaseUrl && !settings.DATABASE_URL)) {
    throw new Error(
      `scripts/services-up.sh did not print KAFKA_BROKERS and DATABASE_URL; it printed:\n${stdout}`,
    );
  }
  process.env.KAFKA_BROKERS = settings.KAFKA_BROKERS;
  if (!keepDatabaseUrl) process.env.DATABASE_URL = settings.DATABASE_URL;
}
