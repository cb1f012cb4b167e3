import { isIP } from 'node:net';
import { DEFAULT_PARTITIONS, EVENTS_TOPIC } from '@app/event-log/topics';

/**
 * The API's configuration, read from the environment once at boot (DESIGN.md §2 and §4). Anything malformed
 * stops the process with every problem named at once; secrets (API keys) are never echoed.
 */
export const ROLES = ['reader', 'writer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiKey {
  readonly role: Role;
  readonly key: string;
}

export interface AppConfig {
  readonly port: number;
  readonly host: string;
  /** Empty when `API_KEYS` is unset: authentication is off and the API may only bind to loopback. */
  readonly apiKeys: readonly ApiKey[];
  /** How long a POST waits for the projector's decision before answering 202. */
  readonly decisionWaitMs: number;
  /** null when `KAFKA_BROKERS` is unset: the embedded log (a Postgres table) is used. */
  readonly kafkaBrokers: readonly string[] | null;
  readonly kafkaPartitions: number;
  /** null when `DATABASE_URL` is unset: Postgres is embedded (PGlite) under `dataDir`. */
  readonly databaseUrl: string | null;
  readonly dataDir: string;
  /** A Postgres schema of its own for the read models (default: the server's search_path). */
  readonly databaseSchema: string | null;
  readonly kafkaTopic: string;
  /** Load the seed scenario into an empty store when the projector runs in process (`npm start`). */
  readonly seed: boolean;
  /** Rebuild read models that come from another log on start, instead of refusing to project them. */
  readonly rebuildOnLogChange: boolean;
  /** `/health/ready` fails when a partition lags and has applied nothing for this long. */
  readonly projectionStallSeconds: number;
  /** Requests per minute per API key (or per client address without one); 0: no limit. */
  readonly rateLimitPerMinute: number;
  /**
   * The downstream topic of accepted events (Kafka mode), DESIGN.md §7. null: `standoff.timeline.v1` for the
   * default log topic, `<KAFKA_TOPIC>.timeline` for another, so that two logs never share one feed topic.
   */
  readonly kafkaFeedTopic: string | null;
  /** Origins a browser may read the GET routes and feeds from: a list, `*` (any), or empty (same origin only). */
  readonly corsOrigins: readonly string[] | '*';
  /** How often an idle SSE feed sends a `: heartbeat` comment. */
  readonly feedHeartbeatMs: number;
  /** Whether a projector in this process also publishes the feed to the downstream topic (Kafka mode). */
  readonly feedPublisher: boolean;
}

/** Injection token for the loaded {@link AppConfig}. */
export const APP_CONFIG = Symbol('APP_CONFIG');

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export const DEFAULTS = {
  port: 3000,
  host: '127.0.0.1',
  decisionWaitMs: 5000,
  kafkaPartitions: DEFAULT_PARTITIONS,
  dataDir: './data',
  kafkaTopic: EVENTS_TOPIC,
  projectionStallSeconds: 30,
  rateLimitPerMinute: 6000,
  feedHeartbeatMs: 15_000,
} as const;

type Env = Readonly<Record<string, string | undefined>>;

/** Unset and blank both mean "not given". */
function given(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function integer(
  env: Env,
  name: string,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  const text = given(env, name);
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    problems.push(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
    return fallback;
  }
  return Number(text);
}

function boolean(env: Env, name: string, fallback: boolean, problems: string[]): boolean {
  const text = given(env, name);
  if (text === undefined) return fallback;
  if (text !== 'true' && text !== 'false') {
    problems.push(`${name} must be true or false, got ${JSON.stringify(text)}`);
    return fallback;
  }
  return text === 'true';
}

const KEY = /^[\x21-\x7e]+$/;

/** `role:key,role:key`; the key may itself contain `:`. */
export function parseApiKeys(text: string | undefined): { keys: ApiKey[]; problems: string[] } {
  const keys: ApiKey[] = [];
  const problems: string[] = [];
  if (text === undefined || text.trim() === '') return { keys, problems };
  text.split(',').forEach((raw, index) => {
    const entry = raw.trim();
    const where = `API_KEYS entry ${index + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) {
      problems.push(`${where} is not of the form role:key`);
      return;
    }
    const role = entry.slice(0, colon);
    const key = entry.slice(colon + 1);
    if (!(ROLES as readonly string[]).includes(role)) {
      problems.push(`${where} has the unknown role ${JSON.stringify(role)} (roles: ${ROLES.join(', ')})`);
      return;
    }
    if (!KEY.test(key)) {
      problems.push(`${where} (${role}) has an empty key or one with spaces or non-ASCII characters`);
      return;
    }
    keys.push({ role: role as Role, key });
  });
  return { keys, problems };
}

const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:.]+\]:\d{1,5}$/;

export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];

  const port = integer(env, 'PORT', DEFAULTS.port, 0, 65535, problems);
  const host = given(env, 'HOST') ?? DEFAULTS.host;
  if (!/^[A-Za-z0-9.:-]+$/.test(host))
    problems.push(`HOST is not a host name or address: ${JSON.stringify(host)}`);

  const apiKeys = parseApiKeys(env.API_KEYS);
  problems.push(...apiKeys.problems);

  const decisionWaitMs = integer(env, 'DECISION_WAIT_MS', DEFAULTS.decisionWaitMs, 0, 600_000, problems);

  const brokersText = given(env, 'KAFKA_BROKERS');
  let kafkaBrokers: string[] | null = null;
  if (brokersText !== undefined) {
    kafkaBrokers = brokersText.split(',').map((b) => b.trim());
    const bad = kafkaBrokers.filter((b) => !HOST_PORT.test(b));
    if (bad.length > 0) {
      problems.push(`KAFKA_BROKERS must be a comma-separated list of host:port, got ${JSON.stringify(bad)}`);
    }
  }
  const kafkaPartitions = integer(env, 'KAFKA_PARTITIONS', DEFAULTS.kafkaPartitions, 1, 10_000, problems);

  const databaseUrl = given(env, 'DATABASE_URL') ?? null;
  if (databaseUrl !== null) {
    let protocol: string | undefined;
    try {
      protocol = new URL(databaseUrl).protocol;
    } catch {
      protocol = undefined;
    }
    if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
      // The URL may hold a password: name the rule, not the value.
      problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
    }
  }

  const dataDir = given(env, 'DATA_DIR') ?? DEFAULTS.dataDir;
  const databaseSchema = given(env, 'DATABASE_SCHEMA') ?? null;
  // At most 53 characters: the dashboard views live beside it in `<schema>_dashboard`, and Postgres would cut a
  // longer name to 63 silently.
  if (databaseSchema !== null && !/^[a-z_][a-z0-9_]{0,52}$/.test(databaseSchema)) {
    problems.push(
      `DATABASE_SCHEMA must be a lower-case identifier of at most 53 characters, got ${JSON.stringify(databaseSchema)}`,
    );
  }
  const kafkaTopic = given(env, 'KAFKA_TOPIC') ?? DEFAULTS.kafkaTopic;
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(kafkaTopic)) {
    problems.push(`KAFKA_TOPIC is not a valid topic name: ${JSON.stringify(kafkaTopic)}`);
  }
  const seed = boolean(env, 'SEED', true, problems);

  const rebuildOnLogChange = boolean(env, 'REBUILD_ON_LOG_CHANGE', false, problems);
  const projectionStallSeconds = integer(
    env,
    'PROJECTION_STALL_SECONDS',
    DEFAULTS.projectionStallSeconds,
    1,
    86_400,
    problems,
  );
  const rateLimitPerMinute = integer(env, 'RATE_LIMIT', DEFAULTS.rateLimitPerMinute, 0, 1_000_000, problems);

  const kafkaFeedTopic = given(env, 'KAFKA_FEED_TOPIC') ?? null;
  if (
    kafkaFeedTopic !== null &&
    (!/^[A-Za-z0-9._-]{1,249}$/.test(kafkaFeedTopic) || kafkaFeedTopic === kafkaTopic)
  ) {
    problems.push(
      `KAFKA_FEED_TOPIC must be a valid topic name other than KAFKA_TOPIC, got ${JSON.stringify(kafkaFeedTopic)}`,
    );
  }
  const corsOrigins = parseCorsOrigins(given(env, 'CORS_ORIGINS'), problems);
  const feedPublisher = boolean(env, 'FEED_PUBLISHER', true, problems);
  const feedHeartbeatMs = integer(env, 'FEED_HEARTBEAT_MS', DEFAULTS.feedHeartbeatMs, 100, 15_000, problems);

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    host,
    apiKeys: apiKeys.keys,
    decisionWaitMs,
    kafkaBrokers,
    kafkaPartitions,
    databaseUrl,
    dataDir,
    databaseSchema,
    kafkaTopic,
    seed,
    rebuildOnLogChange,
    projectionStallSeconds,
    rateLimitPerMinute,
    kafkaFeedTopic,
    corsOrigins,
    feedHeartbeatMs,
    feedPublisher,
  };
}

/** `*`, or comma-separated origins (`scheme://host[:port]`, as a browser sends them in `Origin`). */
function parseCorsOrigins(text: string | undefined, problems: string[]): readonly string[] | '*' {
  if (text === undefined) return [];
  if (text === '*') return '*';
  const origins = text.split(',').map((origin) => origin.trim());
  const bad = origins.filter(
    (origin) =>
      !/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$|^https?:\/\/\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(origin),
  );
  if (bad.length > 0) {
    problems.push(
      `CORS_ORIGINS must be * or comma-separated origins such as https://dash.example:8443, got ${JSON.stringify(bad)}`,
    );
  }
  return origins;
}

export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  // Only the name itself: `*.localhost` resolves to loopback by convention (RFC 6761) but not by every
  // resolver, and a name such as evil.localhost may be given an outside address by DNS or /etc/hosts.
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(h) || h.startsWith('::ffff:127.');
  return false;
}

/** Without API keys the service serves everyone, so it must not listen beyond this machine (DESIGN.md §4). */
export function assertBindable(config: Pick<AppConfig, 'apiKeys' | 'host'>): void {
  if (config.apiKeys.length === 0 && !isLoopback(config.host)) {
    throw new ConfigError([
      `HOST is ${JSON.stringify(config.host)} but API_KEYS is not set: without API keys the API serves ` +
        'everyone, so it only binds to a loopback address (127.0.0.1, ::1, localhost). Set API_KEYS or a loopback HOST.',
    ]);
  }
}
