import { startExitWatchdog } from './exit-watchdog';

/** jest's global teardown: arm the watchdog that fails a run kept alive by a leaked handle. */
export default async function globalTeardown(): Promise<void> {
  startExitWatchdog();
}
