import { StandoffChanges } from './standoff-changes';

const DAY = 86_400_000;

function changes(...list: [number, number, number | undefined][]): StandoffChanges {
  const kept = new StandoffChanges();
  for (const [versionBefore, versionAfter, staleFrom] of list) {
    kept.record({ standoffId: 's', versionBefore, versionAfter, staleFrom });
  }
  return kept;
}

describe('changes reported by the projector, judged for a snapshot built meanwhile', () => {
  it('leaves a snapshot intact when nothing was committed since it was read', () => {
    expect(new StandoffChanges().judge('s', 10, 10, DAY)).toBe('intact');
  });

  it('leaves it intact when every change since only made later checkpoints stale', () => {
    expect(changes([10, 12, 5 * DAY], [12, 15, undefined]).judge('s', 10, 15, 4 * DAY)).toBe('intact');
  });

  it('refuses it when a change made its checkpoint stale, at the checkpoint included', () => {
    expect(changes([10, 12, 5 * DAY], [12, 15, 4 * DAY]).judge('s', 10, 15, 4 * DAY)).not.toBe('intact');
  });

  it('refuses it when a version in between was not reported (another process, or a report still on its way)', () => {
    expect(changes([10, 12, 5 * DAY], [13, 15, 5 * DAY]).judge('s', 10, 15, DAY)).not.toBe('intact');
    expect(changes([10, 12, 5 * DAY]).judge('s', 10, 15, DAY)).not.toBe('intact');
  });

  it('tells a change not reported yet from one that made the snapshot stale', () => {
    expect(changes([10, 12, 5 * DAY]).judge('s', 10, 15, DAY)).toBe('unknown');
    expect(changes([10, 12, 5 * DAY], [12, 15, DAY]).judge('s', 10, 15, DAY)).toBe('stale');
  });

  it('refuses it when the version went back (the read models were replaced)', () => {
    expect(changes().judge('s', 10, 3, DAY)).not.toBe('intact');
  });

  it('judges from what was read: changes up to it are forgotten and not needed', () => {
    const kept = changes([10, 12, DAY], [12, 15, 5 * DAY]);
    kept.forgetUpTo('s', 12);
    expect(kept.judge('s', 12, 15, 4 * DAY)).toBe('intact');
    expect(kept.judge('s', 10, 15, 4 * DAY)).not.toBe('intact');
  });

  it('gives the version up to which a snapshot read earlier may still be stored', () => {
    expect(changes().intactUpTo('s', 10, DAY)).toBe(10);
    expect(changes([10, 12, 5 * DAY], [12, 15, undefined]).intactUpTo('s', 10, 4 * DAY)).toBe(15);
    // Stops before a change that made the checkpoint stale, and before a version nobody reported.
    expect(changes([10, 12, 5 * DAY], [12, 15, 4 * DAY]).intactUpTo('s', 10, 4 * DAY)).toBe(12);
    expect(changes([10, 12, 5 * DAY], [13, 15, 5 * DAY]).intactUpTo('s', 10, DAY)).toBe(12);
  });

  it('keeps standoffs apart', () => {
    const kept = changes([10, 12, undefined]);
    kept.record({ standoffId: 't', versionBefore: 0, versionAfter: 3, staleFrom: 0 });
    expect(kept.judge('s', 10, 12, DAY)).toBe('intact');
    expect(kept.judge('t', 0, 3, DAY)).not.toBe('intact');
  });
});

describe('a standoff that is still changing', () => {
  const change = (versionBefore: number, staleFrom: number | undefined) => ({
    standoffId: 's',
    versionBefore,
    versionAfter: versionBefore + 1,
    staleFrom,
  });

  it('names the earliest point its changes of the last while made stale, and when it will be quiet', () => {
    const kept = new StandoffChanges(1000);
    kept.record(change(1, 3 * DAY), 0);
    kept.record(change(2, 5 * DAY), 600);
    kept.record(change(3, undefined), 1200);
    expect(kept.settling('s', 1300)).toEqual({ staleFrom: 5 * DAY, quietAt: 2200 });
    expect(kept.settling('s', 2200)).toBeUndefined();
  });
});
