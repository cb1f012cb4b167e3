import { DAY_MS } from '@app/domain/time';
import type { SyntheticOptions } from '../test/support/synthetic-events';

/**
 * The history: the tests' synthetic mix, dated mostly by day, one event every 5 minutes on average from 2000
 * (a million end in 2009, well before today), with a state that stays the same size however long the history:
 * 20 ids per entity kind, at most 100 claims disputed and not yet retracted at a time (a dispute beyond that
 * is preceded by the retraction of the claim disputed longest ago), at most 50 events whose occurredAt a
 * correction moves (by up to two days). Backdated share 10%, knowledge events (disputes, retractions,
 * corrections) 5%.
 */
export const BENCH_HISTORY: SyntheticOptions = {
  seed: 2022,
  start: Date.UTC(2000, 0, 1),
  stepMs: 5 * 60_000,
  dayPrecisionShare: 0.8,
  backdatedShare: 0.1,
  knowledgeShare: 0.05,
  reportDelayMs: DAY_MS,
  entityIds: 20,
  boundedEntities: true,
  recentNamed: 2000,
  maxOpenDisputes: 100,
  maxTimeCorrected: 50,
  timeCorrectionMaxMs: 2 * DAY_MS,
  title: 'Bench standoff',
};
