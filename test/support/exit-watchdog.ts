/**
 * Once every test has run, the process should end by itself. A leaked handle (a Kafka client, a pool, a
 * server, a timer) keeps it alive forever and CI hangs until its own limit; `--forceExit` would hide the leak
 * and exit 0. The watchdog instead fails the run, loudly, `graceMs` after jest's global teardown: its timer is
 * unref'd, so it never keeps a clean process alive itself.
 */
export const EXIT_GRACE_MS = 20_000;

export function startExitWatchdog(
  graceMs: number = EXIT_GRACE_MS,
  exit: (code: number) => void = (code) => process.exit(code),
  report: (message: string) => void = (message) => process.stderr.write(`${message}\n`),
): NodeJS.Timeout {
  const timer = setTimeout(() => {
    report(
      `jest: the process is still alive ${graceMs / 1000} s after the last test: a test leaked an open handle ` +
        '(run the suspect file alone with --detectOpenHandles to find it). Failing the run.',
    );
    exit(1);
  }, graceMs);
  timer.unref();
  return timer;
}
