import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';

/** Debian's Chromium, installed by scripts/ensure-chromium.sh; nothing downloads a browser of its own. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless as root on a machine without a network: no sandbox, no GPU, none of Chromium's own traffic. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where the browser tests leave their screenshots for a person to look at (gitignored). */
export const SCREENSHOT_ROOT = join(__dirname, '..', '..', 'test-output');

export interface TestBrowser {
  readonly browser: Browser;
  close(): Promise<void>;
}

/**
 * A fresh Chromium: playwright-core's `launch` gives it a new temporary profile (its own --user-data-dir),
 * removed on close.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  return { browser, close: () => browser.close() };
}

/** Collects what a page reports as an error: console errors and uncaught exceptions. */
export function collectErrors(
  page: Page,
  ignore: (message: ConsoleMessage) => boolean = () => false,
): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !ignore(message)) {
      errors.push(`console: ${message.text()} (${message.location().url})`);
    }
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  return errors;
}

/** Numbered screenshots of a test's steps under test-output/<name>/. */
export function screenshots(name: string): (page: Page, step: string) => Promise<void> {
  const dir = join(SCREENSHOT_ROOT, name);
  let n = 0;
  return async (page, step) => {
    // The previous run's pictures go when this run takes its first, not when a filtered run skips them all.
    if (n === 0) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
    }
    n += 1;
    await page.screenshot({ path: join(dir, `${String(n).padStart(2, '0')}-${step}.png`), fullPage: true });
  };
}
