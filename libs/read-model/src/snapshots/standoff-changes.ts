/**
 * What one committed projector transaction did to a standoff: its version went from `versionBefore` to
 * `versionAfter`, and the snapshots with a checkpoint at or after `staleFrom` (ms; undefined: none) became stale.
 */
export interface StandoffChange {
  readonly standoffId: string;
  readonly versionBefore: number;
  readonly versionAfter: number;
  readonly staleFrom: number | undefined;
}

/** Changes kept per standoff at most; past that the oldest are dropped, and a build across them is refused. */
const KEPT_PER_STANDOFF = 1000;

/**
 * The changes this process's projector reported, per standoff, so that a snapshot folded at version V0 can be
 * judged at version V1: it is still right when every version in (V0, V1] is covered by a reported change and
 * none of them made its checkpoint stale. A version no change covers (another process projected it, or its
 * report has not arrived yet) makes the answer no.
 */
export class StandoffChanges {
  private readonly byStandoff = new Map<string, StandoffChange[]>();
  /** Per standoff, its changes of the last `quietAfterMs`: when, and from where they made snapshots stale. */
  private readonly recent = new Map<string, { at: number; staleFrom: number }[]>();

  constructor(private readonly quietAfterMs = 1000) {}

  record(change: StandoffChange, now = Date.now()): void {
    if (change.versionAfter <= change.versionBefore) return;
    const recent = this.recentOf(change.standoffId, now);
    recent.push({ at: now, staleFrom: change.staleFrom ?? Infinity });
    this.recent.set(change.standoffId, recent);
    const kept = this.byStandoff.get(change.standoffId) ?? [];
    kept.push(change);
    if (kept.length > KEPT_PER_STANDOFF) kept.splice(0, kept.length - KEPT_PER_STANDOFF);
    this.byStandoff.set(change.standoffId, kept);
  }

  /**
   * While the standoff changes (a change less than `quietAfterMs` ago), the earliest point its changes of that
   * while made stale, and when it will count as quiet: snapshots from there on would most likely be made stale
   * again before long, so a builder holds them back. Undefined once quiet.
   */
  settling(standoffId: string, now = Date.now()): { staleFrom: number; quietAt: number } | undefined {
    const recent = this.recentOf(standoffId, now);
    if (recent.length === 0) {
      this.recent.delete(standoffId);
      return undefined;
    }
    return {
      staleFrom: Math.min(...recent.map((change) => change.staleFrom)),
      quietAt: recent[recent.length - 1].at + this.quietAfterMs,
    };
  }

  private recentOf(standoffId: string, now: number): { at: number; staleFrom: number }[] {
    const recent = this.recent.get(standoffId) ?? [];
    const kept = recent.findIndex((change) => now - change.at < this.quietAfterMs);
    return kept < 0 ? [] : recent.slice(kept);
  }

  /** Forgets what no build will ask about again: changes up to a version a build has read. */
  forgetUpTo(standoffId: string, version: number): void {
    const kept = this.byStandoff.get(standoffId);
    if (!kept) return;
    const later = kept.filter((change) => change.versionAfter > version);
    if (later.length === 0) this.byStandoff.delete(standoffId);
    else this.byStandoff.set(standoffId, later);
  }

  /**
   * Whether the changes from version `from` to `to` left the snapshots up to `checkpoint` (ms) intact: `unknown`
   * while some version in between was not reported (yet).
   */
  judge(standoffId: string, from: number, to: number, checkpoint: number): 'intact' | 'stale' | 'unknown' {
    if (to === from) return 'intact';
    if (to < from) return 'stale';
    const relevant = (this.byStandoff.get(standoffId) ?? [])
      .filter((change) => change.versionAfter > from && change.versionBefore < to)
      .sort((a, b) => a.versionBefore - b.versionBefore);
    let covered = from;
    for (const change of relevant) {
      if (change.versionBefore > covered) return 'unknown';
      if (change.staleFrom !== undefined && change.staleFrom <= checkpoint) return 'stale';
      covered = Math.max(covered, change.versionAfter);
    }
    return covered >= to ? 'intact' : 'unknown';
  }

  /**
   * The highest version up to which every change after `from` is reported and left the snapshots up to
   * `checkpoint` (ms) intact: a snapshot folded at `from` may be stored while the standoff is at most there.
   */
  intactUpTo(standoffId: string, from: number, checkpoint: number): number {
    const relevant = (this.byStandoff.get(standoffId) ?? [])
      .filter((change) => change.versionAfter > from)
      .sort((a, b) => a.versionBefore - b.versionBefore);
    let covered = from;
    for (const change of relevant) {
      if (change.versionBefore > covered) break;
      if (change.staleFrom !== undefined && change.staleFrom <= checkpoint) break;
      covered = Math.max(covered, change.versionAfter);
    }
    return covered;
  }
}
