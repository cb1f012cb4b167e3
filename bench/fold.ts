/**
 * The pure fold alone, no I/O: what a state query spends in the domain, and how big a snapshot of the fold is.
 * The baseline, in the same run and process: the domain of another commit (BENCH_BASELINE_REF, default
 * HEAD), extracted with `git archive` into a temporary directory and loaded beside the working tree's, each
 * run alternating between the two so that both see the same machine.
 *
 * Figures, each the median of BENCH_RUNS runs, in CPU time of the process (so that other processes on the
 * machine count less than in wall time):
 * - `knowledge view`: `knowledgeView` over the history (disputes, retractions, corrections judged);
 * - `full fold`: `foldEvents` from the initial state over every included event of a BENCH_EVENTS history;
 * - `snapshot + tail`: what a state query folds, a JSON snapshot parsed and 500 events folded on top;
 * - `stateAt`: the knowledge view, the fold and the answer, over the whole history;
 * - `snapshot bytes`: `JSON.stringify` of the fold state at the end (what `state_snapshots.state` holds).
 *
 *   npm run bench:fold                         (BENCH_BASELINE_REF=HEAD~3 npm run bench:fold)
 *
 * Settings (environment): BENCH_EVENTS (100000), BENCH_RUNS (15), BENCH_BASELINE_REF (HEAD).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateEvent } from '@app/domain/catalogue';
import { DIFF_LISTS } from '@app/domain/diff';
import type { RecordedEvent } from '@app/domain/recorded-event';
import * as current from '@app/domain/index';
import { SyntheticHistory } from '../test/support/synthetic-events';
import { BENCH_HISTORY } from './bench-history';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const BASELINE_REF = process.env.BENCH_BASELINE_REF ?? 'HEAD';
const TAIL = 500;
const ROOT = join(__dirname, '..');

type Domain = typeof current;

/** A history of the kind bench/state-at-scale.ts loads: the state stays the same size however long it grows. */
function history(events: number): RecordedEvent[] {
  const synthetic = new SyntheticHistory(BENCH_HISTORY);

  const now = Date.UTC(2100, 0, 1);
  return synthetic.take(events).map((body, i) => {
    const checked = validateEvent(body, { now });
    if (!checked.ok) throw new Error(`synthetic event ${i} is invalid: ${JSON.stringify(checked.errors)}`);
    const draft = checked.event;
    const reported = draft.reportedAt ?? draft.occurredAt;
    return {
      eventId: draft.eventId ?? body.eventId,
      standoffId: 'bench',
      position: i + 1,
      type: draft.type,
      occurredAt: draft.occurredAt.ms,
      occurredPrecision: draft.occurredAt.precision,
      reportedAt: reported.ms,
      reportedPrecision: reported.precision,
      recordedAt: reported.ms,
      actor: draft.actor,
      target: draft.target,
      summary: draft.summary,
      cameo: draft.cameo,
      data: draft.data,
      source: draft.source,
    };
  });
}

/** The domain of `ref`, loaded through ts-node like the working tree's. */
function domainAt(ref: string, dir: string): Domain {
  const archive = execFileSync('git', ['archive', ref, 'libs/domain/src'], { cwd: ROOT, maxBuffer: 1 << 28 });
  writeFileSync(join(dir, 'domain.tar'), archive);
  execFileSync('tar', ['-xf', join(dir, 'domain.tar'), '-C', dir]);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(join(dir, 'libs', 'domain', 'src', 'index')) as Domain;
}

interface Figures {
  knowledgeMs: number[];
  fullFoldMs: number[];
  tailMs: number[];
  stateAtMs: number[];
  snapshotBytes: number;
  items: number;
}

function measure(domain: Domain, events: readonly RecordedEvent[], into: Figures): void {
  const asOf = Date.UTC(2100, 0, 1);
  let started = cpuNow();
  const view = domain.knowledgeView(events, asOf);
  into.knowledgeMs.push(cpuNow() - started);
  const included = domain.includedEvents(view, asOf);
  started = cpuNow();
  const state = domain.foldEvents(domain.initialState(), included);
  into.fullFoldMs.push(cpuNow() - started);

  const snapshot = JSON.stringify(domain.foldEvents(domain.initialState(), included.slice(0, -TAIL)));
  started = cpuNow();
  domain.foldEvents(JSON.parse(snapshot), included.slice(-TAIL));
  into.tailMs.push(cpuNow() - started);

  started = cpuNow();
  domain.stateAt(events, { standoffId: 'bench', asOf, knownAt: asOf, version: events.length });
  into.stateAtMs.push(cpuNow() - started);

  into.snapshotBytes = JSON.stringify(state).length;
  const lists = DIFF_LISTS.map((list) => state[list]);
  into.items = lists.reduce((sum, list) => sum + Object.keys(list).length, 0);
}

/** CPU time of the process (user + system, ms): on a shared machine, wall time mostly measures the others. */
function cpuNow(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'bench-fold-'));
  try {
    const baseline = domainAt(BASELINE_REF, dir);
    const events = history(EVENTS);
    const figures = { baseline: emptyFigures(), current: emptyFigures() };
    // One warm-up run each, not counted: the JIT compiles both folds first.
    measure(baseline, events, emptyFigures());
    measure(current, events, emptyFigures());
    for (let run = 0; run < RUNS; run++) {
      if (run % 2 === 0) {
        measure(baseline, events, figures.baseline);
        measure(current, events, figures.current);
      } else {
        measure(current, events, figures.current);
        measure(baseline, events, figures.baseline);
      }
    }
    const row = (name: string, pick: (f: Figures) => number) => {
      const was = pick(figures.baseline);
      const now = pick(figures.current);
      return { figure: name, baseline: round(was), current: round(now), ratio: round(now / was, 3) };
    };
    const table = [
      row(`knowledge view of ${EVENTS} events (ms)`, (f) => median(f.knowledgeMs)),
      row(`full fold of ${EVENTS} events (ms)`, (f) => median(f.fullFoldMs)),
      row(`snapshot + ${TAIL} events (ms)`, (f) => median(f.tailMs)),
      row(`stateAt over ${EVENTS} events (ms)`, (f) => median(f.stateAtMs)),
      row('snapshot bytes', (f) => f.snapshotBytes),
      row('items in the lists', (f) => f.items),
    ];
    console.log(`fold bench: ${EVENTS} events, ${RUNS} runs each, baseline ${BASELINE_REF}`);
    console.table(table);
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(
      join(ROOT, 'bench', 'results', 'fold.json'),
      JSON.stringify({ events: EVENTS, runs: RUNS, baseline: BASELINE_REF, figures: table }, null, 2) + '\n',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function emptyFigures(): Figures {
  return { knowledgeMs: [], fullFoldMs: [], tailMs: [], stateAtMs: [], snapshotBytes: 0, items: 0 };
}

function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

main();
