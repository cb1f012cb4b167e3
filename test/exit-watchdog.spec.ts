import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** The watchdog armed by jest's global teardown, in child processes: one that leaks a handle, one that does not. */

const WATCHDOG = join(__dirname, 'support', 'exit-watchdog.ts');

function run(leak: boolean): { status: number | null; stderr: string; ms: number } {
  const script = `
    const { startExitWatchdog } = require(${JSON.stringify(WATCHDOG)});
    ${leak ? 'setInterval(() => undefined, 1000);' : ''}
    startExitWatchdog(300);
  `;
  const started = Date.now();
  const child = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: child.status, stderr: child.stderr, ms: Date.now() - started };
}

describe('the exit watchdog', () => {
  it('fails a run that a leaked handle keeps alive, naming the cause', () => {
    const leaked = run(true);
    expect(leaked.status).toBe(1);
    expect(leaked.stderr).toMatch(/leaked an open handle/);
  });

  it('lets a clean run end by itself, with its own status', () => {
    const clean = run(false);
    expect(clean.status).toBe(0);
    expect(clean.stderr).toBe('');
  });
});
