import { assertBindable, ConfigError, isLoopback, loadConfig } from './config';

describe('loadConfig', () => {
  it('gives the defaults for an empty environment', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      apiKeys: [],
      decisionWaitMs: 5000,
      kafkaBrokers: null,
      kafkaPartitions: 6,
      databaseUrl: null,
      dataDir: './data',
      databaseSchema: null,
      kafkaTopic: 'standoff.events.v1',
      seed: true,
      rebuildOnLogChange: false,
      projectionStallSeconds: 30,
      rateLimitPerMinute: 6000,
      kafkaFeedTopic: null,
      corsOrigins: [],
      feedHeartbeatMs: 15_000,
      feedPublisher: true,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      API_KEYS: 'reader:r1, writer:w:with:colons,admin:a1',
      DECISION_WAIT_MS: '250',
      KAFKA_BROKERS: '127.0.0.1:9092,kafka-2:9093',
      KAFKA_PARTITIONS: '12',
      DATABASE_URL: 'postgres://u:p@localhost:5432/standoffs',
      DATA_DIR: '/var/lib/standoffs',
      DATABASE_SCHEMA: 'tenant_a',
      KAFKA_TOPIC: 'standoff.events.v1-staging',
      SEED: 'false',
      REBUILD_ON_LOG_CHANGE: 'true',
      PROJECTION_STALL_SECONDS: '120',
      RATE_LIMIT: '120',
      KAFKA_FEED_TOPIC: 'standoff.timeline.v1-staging',
      CORS_ORIGINS: 'https://dash.example, http://127.0.0.1:8080',
      FEED_HEARTBEAT_MS: '5000',
      FEED_PUBLISHER: 'false',
    });
    expect(config).toEqual({
      port: 8080,
      host: '0.0.0.0',
      apiKeys: [
        { role: 'reader', key: 'r1' },
        { role: 'writer', key: 'w:with:colons' },
        { role: 'admin', key: 'a1' },
      ],
      decisionWaitMs: 250,
      kafkaBrokers: ['127.0.0.1:9092', 'kafka-2:9093'],
      kafkaPartitions: 12,
      databaseUrl: 'postgres://u:p@localhost:5432/standoffs',
      dataDir: '/var/lib/standoffs',
      databaseSchema: 'tenant_a',
      kafkaTopic: 'standoff.events.v1-staging',
      seed: false,
      rebuildOnLogChange: true,
      projectionStallSeconds: 120,
      rateLimitPerMinute: 120,
      kafkaFeedTopic: 'standoff.timeline.v1-staging',
      corsOrigins: ['https://dash.example', 'http://127.0.0.1:8080'],
      feedHeartbeatMs: 5000,
      feedPublisher: false,
    });
  });

  it('treats blank variables as unset', () => {
    expect(loadConfig({ API_KEYS: ' ', PORT: '', KAFKA_BROKERS: '' })).toMatchObject({
      apiKeys: [],
      port: 3000,
      kafkaBrokers: null,
    });
  });

  it.each([
    [{ PORT: 'http' }, /PORT must be an integer/],
    [{ DATABASE_SCHEMA: 'Drop Table' }, /DATABASE_SCHEMA must be a lower-case identifier/],
    [
      { DATABASE_SCHEMA: 's'.repeat(54) },
      /DATABASE_SCHEMA must be a lower-case identifier of at most 53 characters/,
    ],
    [{ KAFKA_TOPIC: 'a topic' }, /KAFKA_TOPIC is not a valid topic name/],
    [{ SEED: 'yes' }, /SEED must be true or false/],
    [{ CORS_ORIGINS: 'dash.example' }, /CORS_ORIGINS must be \* or comma-separated origins/],
    [{ CORS_ORIGINS: 'https://a.example/path' }, /CORS_ORIGINS/],
    [
      { KAFKA_FEED_TOPIC: 'standoff.events.v1' },
      /KAFKA_FEED_TOPIC must be a valid topic name other than KAFKA_TOPIC/,
    ],
    [{ FEED_HEARTBEAT_MS: '60000' }, /FEED_HEARTBEAT_MS must be an integer from 100 to 15000/],
    [{ REBUILD_ON_LOG_CHANGE: 'yes' }, /REBUILD_ON_LOG_CHANGE must be true or false/],
    [{ PORT: '70000' }, /PORT must be an integer/],
    [{ RATE_LIMIT: 'many' }, /RATE_LIMIT must be an integer/],
    [{ RATE_LIMIT: '-5' }, /RATE_LIMIT must be an integer/],
    [{ API_KEYS: 'reader:r1,justakey' }, /API_KEYS entry 2 is not of the form role:key/],
    [{ API_KEYS: 'owner:k' }, /unknown role "owner"/],
    [{ API_KEYS: 'reader:' }, /API_KEYS entry 1 \(reader\) has an empty key/],
    [{ API_KEYS: 'reader:a,,writer:b' }, /API_KEYS entry 2/],
    [{ DECISION_WAIT_MS: '-1' }, /DECISION_WAIT_MS/],
    [{ KAFKA_BROKERS: 'localhost' }, /KAFKA_BROKERS must be a comma-separated list of host:port/],
    [{ KAFKA_PARTITIONS: '0' }, /KAFKA_PARTITIONS/],
    [{ DATABASE_URL: 'mysql://localhost/x' }, /DATABASE_URL must be a postgres/],
  ])('fails fast on %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('names every problem at once and never echoes a key', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'x', API_KEYS: 'root:s3cret-value', DATABASE_URL: 'nope://user:pw@h' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(3);
    expect((error as Error).message).not.toMatch(/s3cret-value|pw@/);
  });
});

describe('assertBindable', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1'])(
    'lets an open API bind to the loopback address %s',
    (host) => {
      expect(isLoopback(host)).toBe(true);
      expect(() => assertBindable({ host, apiKeys: [] })).not.toThrow();
    },
  );

  it.each(['0.0.0.0', '::', '192.168.1.10', 'example.org', 'evil.localhost', 'localhost.example.org'])(
    'refuses an open API on %s',
    (host) => {
      expect(isLoopback(host)).toBe(false);
      expect(() => assertBindable({ host, apiKeys: [] })).toThrow(/API_KEYS/);
    },
  );

  it('refuses a name under .localhost, which DNS or /etc/hosts may send elsewhere', () => {
    expect(() => assertBindable({ host: 'evil.localhost', apiKeys: [] })).toThrow(/loopback/);
  });

  it('lets an API with keys bind anywhere', () => {
    expect(() => assertBindable({ host: '0.0.0.0', apiKeys: [{ role: 'admin', key: 'k' }] })).not.toThrow();
  });
});
