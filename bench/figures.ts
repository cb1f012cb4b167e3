import { performance } from 'node:perf_hooks';

/** A throughput measured from `started` until now. */
export interface Figure {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
}

export function figure(events: number, started: number): Figure {
  const seconds = (performance.now() - started) / 1000;
  return { events, seconds: round2(seconds), eventsPerSecond: Math.round(events / seconds) };
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** Prints a line under the bench's name. */
export function benchLog(bench: string): (line: string) => void {
  return (line) => console.log(`[${bench}] ${line}`);
}
