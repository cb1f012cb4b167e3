import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log entry written while handling one request (or one batch) says about where it came from. */
export interface LogContext {
  readonly requestId?: string;
  readonly standoffId?: string;
  readonly partition?: number;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `work` with `fields` added to the current log context, for every entry it writes, awaited or not. */
export function withLogContext<T>(fields: LogContext, work: () => T): T {
  return storage.run({ ...storage.getStore(), ...fields }, work);
}

/** The log context of the code running now; empty outside any request or batch. */
export function currentLogContext(): LogContext {
  return storage.getStore() ?? {};
}
