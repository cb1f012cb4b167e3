import type { EventLogLogLevel } from './event-log-logger.port';
import { classifyClientLog, KafkaClientLog } from './kafka-client-log';

interface Entry {
  level: EventLogLogLevel;
  message: string;
  context?: Readonly<Record<string, unknown>>;
}

function recorder(): { entries: Entry[]; log: KafkaClientLog; advance: (ms: number) => void } {
  const entries: Entry[] = [];
  let now = 1_000_000;
  const log = new KafkaClientLog(
    (level, message, context) => entries.push({ level, message, context }),
    () => now,
  );
  return { entries, log, advance: (ms) => (now += ms) };
}

const atLeastWarn = (entries: Entry[]) => entries.filter((e) => e.level === 'warn' || e.level === 'error');

describe('the Kafka client log', () => {
  it.each([
    ['kafkajs Admin: Topic with this name already exists', { error: 'TOPIC_ALREADY_EXISTS' }],
    ['kafkajs Connection: Response CreateTopics(key: 19, version: 3)', { error: 'Topic creation errors' }],
    [
      'kafkajs Consumer: Restarting the consumer',
      { error: 'The group is rebalancing, so a rejoin is needed' },
    ],
    [
      'kafkajs Connection: Response GroupCoordinator',
      { error: 'The coordinator is loading and hence can not process requests' },
    ],
    ['kafkajs Producer: Limiting retries for the idempotent producer to Number.MAX_SAFE_INTEGER', undefined],
  ])('keeps the routine %s at debug', (message, context) => {
    const { entries, log } = recorder();
    log.write('error', message, context);
    expect(entries).toEqual([{ level: 'debug', message, context }]);
  });

  it('logs an outage once when it starts and once when it ends, not a stack per retry', () => {
    const { entries, log, advance } = recorder();
    for (let retry = 0; retry < 200; retry++) {
      log.write('error', 'kafkajs Connection: Connection error: connect ECONNREFUSED 127.0.0.1:9092', {
        broker: '127.0.0.1:9092',
        stack: 'Error: connect ECONNREFUSED\n    at TCPConnectWrap',
      });
      log.write('error', 'kafkajs Consumer: Crash: KafkaJSNumberOfRetriesExceeded', {
        error: 'Connection error: connect ECONNREFUSED 127.0.0.1:9092',
        stack: 'KafkaJSNumberOfRetriesExceeded\n    at …',
      });
      advance(100);
    }
    expect(log.inOutage).toBe(true);
    log.recovered();
    log.recovered();
    const shown = entries.filter((e) => e.level !== 'debug');
    expect(shown).toHaveLength(2);
    expect(shown[0]).toMatchObject({
      level: 'warn',
      message: expect.stringMatching(/^Kafka unreachable: .*ECONNREFUSED/),
    });
    expect(shown[0].context).not.toHaveProperty('stack');
    expect(shown[1]).toEqual({
      level: 'info',
      message: 'Kafka reachable again after 20 s (399 failed attempt(s) not logged)',
      context: { outageSeconds: 20, failures: 399 },
    });
    expect(log.inOutage).toBe(false);
  });

  it('passes other warnings and errors through at their level', () => {
    const { entries, log } = recorder();
    log.write('error', 'consumer standoff-projector crashed: offset out of range', { restart: true });
    log.write('warn', 'topic t exists with 3 partitions (configured: 6)');
    expect(atLeastWarn(entries).map((e) => e.level)).toEqual(['error', 'warn']);
  });

  it('says nothing on recovery when there was no outage', () => {
    const { entries, log } = recorder();
    log.recovered();
    expect(entries).toEqual([]);
    expect(classifyClientLog('Request timed out')).toBe('unreachable');
    expect(classifyClientLog('Unknown magic byte')).toBe('other');
  });
});
