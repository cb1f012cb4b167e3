/** States kept per reader, as JSON text: ~150 KB each. */
const CACHED_STATES = 16;

/** What names one stored snapshot for as long as its row stands: a row deleted and built again has a new `xmin`. */
export interface SnapshotIdentity {
  readonly standoffId: string;
  readonly seq: number;
  readonly xmin: string;
}

/**
 * The states of the snapshots a reader used last, as the JSON text the row holds, so that a query on a snapshot
 * it read before skips reading and sending the state again. Keyed by the row's identity, which no later row
 * shares, so an entry is never stale: a snapshot deleted and built again, or rewritten, is another key. Owned by
 * one reader of one database (an `xmin` means nothing in another cluster). Text rather than the parsed state:
 * each query parses its own copy, which it may fold onto, and parsing costs what a copy would.
 */
export class SnapshotStateCache {
  private readonly states = new Map<string, string>();

  constructor(private readonly capacity = CACHED_STATES) {}

  /** The keys the cache holds for the standoff, as `cachedKey` spells them: the SQL asks for the state of no other. */
  keysOf(standoffId: string): string[] {
    const prefix = `${standoffId}\u0000`;
    return [...this.states.keys()]
      .filter((key) => key.startsWith(prefix))
      .map((key) => key.slice(prefix.length));
  }

  get(snapshot: SnapshotIdentity): string | undefined {
    const key = entryKey(snapshot);
    const state = this.states.get(key);
    if (state === undefined) return undefined;
    this.states.delete(key);
    this.states.set(key, state);
    return state;
  }

  set(snapshot: SnapshotIdentity, state: string): void {
    const key = entryKey(snapshot);
    this.states.delete(key);
    this.states.set(key, state);
    while (this.states.size > this.capacity) this.states.delete(this.states.keys().next().value as string);
  }
}

/** A snapshot's key within its standoff, as the SQL builds it from the row: `seq:xmin`. */
export function cachedKey(snapshot: Pick<SnapshotIdentity, 'seq' | 'xmin'>): string {
  return `${snapshot.seq}:${snapshot.xmin}`;
}

function entryKey(snapshot: SnapshotIdentity): string {
  return `${snapshot.standoffId}\u0000${cachedKey(snapshot)}`;
}
