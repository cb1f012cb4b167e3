/// <reference lib="dom" />
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { seedRequests } from '../../apps/api/src/seed/seed-loader';
import { collectErrors, launchBrowser, screenshots, type TestBrowser } from '../support/browser';
import { dropSchema, startTestApp, type TestApp } from '../support/test-app';

/*
 * The timeline page (DESIGN.md §8) in Debian's Chromium, on the seed standoff: the seed's `expect` blocks
 * (libs/domain/src/fixtures/seed-scenario.json) say what the panels must show. Screenshots of each step go to
 * test-output/page/.
 */

const seed = seedRequests();
const FOLLOW_UP_ID = String(
  seed.events.find((e) => (e.data as { documentId?: string })?.documentId === 'ru-written-follow-up')
    ?.eventId,
);
const DENIAL_ID = String(seed.events.find((e) => e.type === 'claim.disputed')?.eventId);
const FIRST_DAY = '2021-12-15';
const DAY_MS = 86_400_000;
const TIMEOUT = 15_000;

jest.setTimeout(60_000);

function daysFrom(from: string, to: string): number {
  return Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);
}

function baseUrl(app: TestApp): string {
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

async function postSeed(app: TestApp, headers: Record<string, string> = {}): Promise<void> {
  for (const event of seed.events) {
    await request(app.server)
      .post(`/v1/standoffs/${seed.standoffId}/events`)
      .set(headers)
      .send(event)
      .expect(201);
  }
}

/** Moves a date slider with the keyboard, as a person would: Home is the first event's day. */
async function slideTo(page: Page, slider: '#as-of' | '#known-at', date: string | 'now'): Promise<void> {
  await page.focus(slider);
  if (date === 'now') {
    await page.keyboard.press('End');
  } else {
    await page.keyboard.press('Home');
    for (let i = 0; i < daysFrom(FIRST_DAY, date); i++) await page.keyboard.press('ArrowRight');
  }
  await page.waitForFunction(
    ([selector, text]) => document.querySelector(`${selector}-value`)?.textContent === text,
    [slider, date] as const,
  );
}

/** Waits until the page shows the view it was asked for (its subtitle is written with the rendered state). */
async function shown(page: Page, asOf: string, knownAt: string): Promise<void> {
  await page.waitForFunction(
    (text) => document.getElementById('subtitle')?.textContent?.startsWith(text) === true,
    `As of ${asOf}, as known at ${knownAt}:`,
    { timeout: TIMEOUT },
  );
}

const keysIn = (page: Page, panel: string) =>
  page.$$eval(`#${panel} li[data-key]`, (items) => items.map((li) => (li as HTMLElement).dataset.key));
const textOf = (page: Page, selector: string) => page.$eval(selector, (e) => (e as HTMLElement).innerText);
const timelineIds = (page: Page) =>
  page.$$eval('#timeline li.event', (items) => items.map((li) => (li as HTMLElement).dataset.eventId));

describe('the timeline page in Chromium', () => {
  let app: TestApp;
  let browser: TestBrowser;
  let page: Page;
  let errors: string[];
  const shot = screenshots('page');

  beforeAll(async () => {
    app = await startTestApp('page', { log: 'embedded', env: { DECISION_WAIT_MS: '20000' } });
    await postSeed(app);
    browser = await launchBrowser();
    page = await browser.browser.newPage({ viewport: { width: 1280, height: 800 } });
    errors = collectErrors(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (app) await dropSchema(app.schema);
  });

  it('loads with no console error, the standoff shown without a pick and every asset from the API', async () => {
    const foreign: string[] = [];
    page.on('request', (req) => {
      if (!req.url().startsWith(baseUrl(app)) && !req.url().startsWith('data:')) foreign.push(req.url());
    });
    const loaded = await page.goto(`${baseUrl(app)}/`);
    expect(loaded?.headers()['x-content-type-options']).toBe('nosniff');
    await shown(page, 'now', 'now');
    expect(await textOf(page, '#title')).toBe('Russia–United States standoff over Ukraine');
    expect(await page.isHidden('#standoff-picker')).toBe(true);
    expect(await page.isHidden('#key-form-section')).toBe(true);
    expect(await timelineIds(page)).toHaveLength(18);
    expect(await page.$$('svg.chart g.bucket')).not.toHaveLength(0);
    // The API lists its SSE feed (DESIGN.md §7): the page follows the standoff through it.
    await page.waitForFunction(() => document.getElementById('live-status')?.dataset.mode === 'feed');
    await shot(page, 'loaded');
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('moves asOf and knownAt with the keyboard, keeps them in the URL, and shows the state the seed expects', async () => {
    await slideTo(page, '#as-of', '2022-01-30');
    await slideTo(page, '#known-at', '2022-01-30');
    await shown(page, '2022-01-30', '2022-01-30');
    expect(new URL(page.url()).search).toBe(
      `?standoff=${seed.standoffId}&asOf=2022-01-30&knownAt=2022-01-30`,
    );
    // "state asOf 2022-01-30 knownAt 2022-01-30"
    expect((await keysIn(page, 'panel-documents')).sort()).toEqual(
      ['nato-written-response', 'ru-draft-treaty-us', 'us-written-response'].sort(),
    );
    expect(await keysIn(page, 'panel-awaiting')).toEqual([
      'RUS:nato-written-response',
      'RUS:us-written-response',
    ]);
    expect(await textOf(page, '#panel-awaiting')).toContain('since 2022-01-26: 4 days');
    expect(await page.$eval('#panel-demands li[data-key] .badge', (b) => b.textContent)).toBe('rejected');
    const stances = await page.$$eval('#panel-demands [data-party]', (items) =>
      items.map((li) => `${(li as HTMLElement).dataset.party}:${(li as HTMLElement).dataset.stance}`),
    );
    expect(stances).toEqual(['NATO:rejected', 'USA:rejected']);
    expect(await keysIn(page, 'panel-pacts')).toEqual([]);
    expect(await keysIn(page, 'panel-meetings')).toEqual([]);
    expect(await page.getAttribute('svg.chart .as-of-mark', 'data-position')).toBe('within');
    await shot(page, 'as-of-2022-01-30');

    // "state asOf 2022-02-01" (as known now)
    await slideTo(page, '#known-at', 'now');
    await slideTo(page, '#as-of', '2022-02-01');
    await shown(page, '2022-02-01', 'now');
    expect(await keysIn(page, 'panel-pacts')).toEqual(['uk-poland-ukraine-trilateral']);
    expect(await textOf(page, '#panel-pacts')).toContain('in-preparation');
    expect(await keysIn(page, 'panel-meetings')).toEqual(['putin-macron-face-to-face']);
    expect(await textOf(page, '#panel-meetings')).toContain('proposed');
    expect(await textOf(page, '#panel-contacts li[data-key="RUS:USA"]')).toContain('RUS – USA: 2');
    expect(await textOf(page, '#subtitle')).toContain('18 events (version 19)');
    await shot(page, 'as-of-2022-02-01');

    // A shared URL opens the same view.
    const other = await browser.browser.newPage({ viewport: { width: 1280, height: 800 } });
    const otherErrors = collectErrors(other);
    await other.goto(`${baseUrl(app)}/?standoff=${seed.standoffId}&asOf=2022-01-30&knownAt=2022-01-30`);
    await shown(other, '2022-01-30', '2022-01-30');
    expect(await keysIn(other, 'panel-awaiting')).toEqual([
      'RUS:nato-written-response',
      'RUS:us-written-response',
    ]);
    expect(await other.inputValue('#as-of')).toBe(String(Date.parse('2022-01-30') / DAY_MS));
    await other.close();
    expect(otherErrors).toEqual([]);
  });

  it("marks the follow-up void only as known from the Kremlin's denial of 1 February 2022", async () => {
    // As known now: the denial voids Russia's follow-up, so the reply to the US is awaited again.
    expect(await keysIn(page, 'panel-disputed')).toEqual([FOLLOW_UP_ID]);
    expect(await textOf(page, '#panel-disputed')).toContain('void');
    expect(await textOf(page, '#panel-documents li[data-key="ru-written-follow-up"]')).toContain('void');
    expect(await keysIn(page, 'panel-awaiting')).toContain('RUS:us-written-response');
    expect(await textOf(page, `#timeline li[data-event-id="${FOLLOW_UP_ID}"] summary`)).toContain('void');
    expect(await timelineIds(page)).toContain(DENIAL_ID);

    await slideTo(page, '#known-at', '2022-01-31');
    await shown(page, '2022-02-01', '2022-01-31');
    expect(await keysIn(page, 'panel-disputed')).toEqual([]);
    expect(await textOf(page, '#panel-documents li[data-key="ru-written-follow-up"]')).toContain('delivered');
    expect(await textOf(page, '#panel-documents li[data-key="ru-written-follow-up"]')).not.toContain('void');
    // "state knownAt 2022-01-31": the follow-up answers the US response.
    expect(await keysIn(page, 'panel-awaiting')).toEqual(['RUS:nato-written-response']);
    expect(await textOf(page, `#timeline li[data-event-id="${FOLLOW_UP_ID}"] summary`)).not.toContain('void');
    expect(await timelineIds(page)).not.toContain(DENIAL_ID);
    await shot(page, 'known-at-2022-01-31');
  });

  it('narrows the timeline by actor and by type, in the URL too, and opens an event’s details', async () => {
    await page.click('#now-button');
    await shown(page, 'now', 'now');
    expect(await timelineIds(page)).toHaveLength(18);

    await page.selectOption('#actor-filter', 'FRA');
    await page.waitForFunction(() => document.querySelectorAll('#timeline li.event').length === 2);
    const summaries = await page.$$eval('#timeline li.event summary', (s) =>
      s.map((e) => e.textContent ?? ''),
    );
    expect(summaries.every((text) => text.includes('FRA'))).toBe(true);
    expect(new URL(page.url()).searchParams.get('actor')).toBe('FRA');

    await page.selectOption('#type-filter', 'contact.held');
    await page.waitForFunction(() => document.querySelectorAll('#timeline li.event').length === 1);
    expect(await textOf(page, '#timeline li.event summary')).toContain('Putin and Macron speak by phone');

    await page.focus('#timeline li.event summary');
    await page.keyboard.press('Enter');
    expect(await textOf(page, '#timeline li.event .details')).toContain('head-of-state');
    await shot(page, 'filtered-and-open');

    await page.click('#clear-filters');
    await page.waitForFunction(() => document.querySelectorAll('#timeline li.event').length === 18);
    expect(new URL(page.url()).searchParams.get('actor')).toBeNull();
  });

  it('lists what changed between two picked instants, each line linked to the events that explain it', async () => {
    const pactId = String(
      seed.events.find((e) => (e.data as { pactId?: string })?.pactId === 'uk-poland-ukraine-trilateral')
        ?.eventId,
    );
    const lines = () =>
      page.$$eval('#change-list li.change', (items) =>
        items.map((li) => {
          const { kind, list, key } = (li as HTMLElement).dataset;
          return `${kind} ${list} ${key}`;
        }),
      );
    const linksOf = (selector: string) =>
      page.$$eval(`${selector} a.event-link`, (links) =>
        links.map((a) => ({ id: (a as HTMLElement).dataset.eventId, href: a.getAttribute('href') })),
      );
    const listedEvents = () => page.$$eval('#change-events li.event', (items) => items.map((li) => li.id));

    // Over valid time: 26 January → 1 February 2022, as known now.
    await page.selectOption('#change-axis', 'valid');
    await page.fill('#change-from', '2022-01-26');
    await page.fill('#change-to', '2022-02-01');
    await page.click('#change-show');
    await page.waitForFunction(
      () => document.querySelectorAll('#change-events li.event').length === 12,
      undefined,
      {
        timeout: TIMEOUT,
      },
    );
    expect(await lines()).toEqual([
      'added documents ["ru-written-follow-up"]',
      'added contacts ["FRA","RUS"]',
      'added contacts ["GBR","UKR"]',
      'added contacts ["HUN","RUS"]',
      'added contacts ["RUS","USA"]',
      'added meetings ["putin-macron-face-to-face"]',
      'added pacts ["uk-poland-ukraine-trilateral"]',
      'added positions ["USA","ukraine-sovereignty"]',
      `added disputed ["${FOLLOW_UP_ID}"]`,
    ]);
    const url = new URL(page.url());
    expect(url.searchParams.get('changeAxis')).toBe('valid');
    expect(url.searchParams.get('changeFrom')).toBe('2022-01-26');
    expect(url.searchParams.get('changeTo')).toBe('2022-02-01');
    // Every line names its events, each one listed below the change.
    const listed = await listedEvents();
    for (const key of await page.$$eval('#change-list li.change', (items) =>
      items.map((li) => li.getAttribute('data-key')),
    )) {
      const links = await linksOf(`#change-list li.change[data-key='${key}']`);
      expect(links.length).toBeGreaterThan(0);
      for (const link of links) expect(listed).toContain(String(link.href).slice(1));
    }
    expect((await linksOf('#change-list li[data-list="pacts"]')).map((l) => l.id)).toContain(pactId);
    expect((await linksOf('#change-list li[data-list="documents"]')).map((l) => l.id)).toEqual(
      expect.arrayContaining([FOLLOW_UP_ID, DENIAL_ID]),
    );
    await page.click(`#change-list li[data-list="pacts"] a.event-link[data-event-id="${pactId}"]`);
    expect(new URL(page.url()).hash).toBe(`#change-event-${pactId}`);
    await shot(page, 'change-over-valid-time');

    // Over knowledge time: 31 January as known on 31 January, then on 1 February.
    await slideTo(page, '#as-of', '2022-01-31');
    await page.selectOption('#change-axis', 'knowledge');
    await page.fill('#change-from', '2022-01-31');
    await page.fill('#change-to', '2022-02-01');
    await page.click('#change-show');
    await page.waitForFunction(
      () => document.querySelectorAll('#change-events li.event').length === 1,
      undefined,
      {
        timeout: TIMEOUT,
      },
    );
    expect(await lines()).toEqual([
      'changed documents ["ru-written-follow-up"]',
      'added awaiting ["RUS","us-written-response"]',
      `added disputed ["${FOLLOW_UP_ID}"]`,
    ]);
    expect(await textOf(page, '#change-list li[data-list="documents"]')).toContain(
      'status: delivered → void',
    );
    // The denial reopens the awaited reply: the line says so by linking to it.
    expect(await linksOf('#change-list li[data-list="awaiting"]')).toContainEqual({
      id: DENIAL_ID,
      href: `#change-event-${DENIAL_ID}`,
    });
    expect(await listedEvents()).toEqual([`change-event-${DENIAL_ID}`]);
    await shot(page, 'change-over-knowledge-time');

    // The URL opens the same change.
    const other = await browser.browser.newPage({ viewport: { width: 1280, height: 800 } });
    const otherErrors = collectErrors(other);
    await other.goto(page.url());
    await other.waitForFunction(
      () => document.querySelectorAll('#change-list li.change').length === 3,
      undefined,
      {
        timeout: TIMEOUT,
      },
    );
    expect(await other.inputValue('#change-axis')).toBe('knowledge');
    await other.close();
    expect(otherErrors).toEqual([]);

    await page.click('#change-clear');
    await page.click('#now-button');
    await shown(page, 'now', 'now');
    expect(await page.$$('#change-list li.change')).toHaveLength(0);
    expect(new URL(page.url()).searchParams.get('changeAxis')).toBeNull();
    expect(errors).toEqual([]);
  });

  it('shows an event posted through the API without a reload', async () => {
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    const posted = await request(app.server)
      .post(`/v1/standoffs/${seed.standoffId}/events`)
      .send({
        type: 'statement.made',
        occurredAt: '2022-02-02',
        actor: 'RUS',
        target: 'USA',
        summary: 'Moscow says it will answer the written responses in its own time',
      })
      .expect(201);
    const eventId = String(posted.body.eventId);
    await page.waitForSelector(`#timeline li[data-event-id="${eventId}"]`, { timeout: TIMEOUT });
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
    expect(await textOf(page, '#live-status')).toContain('version 20');
    expect(await textOf(page, '#subtitle')).toContain('19 events (version 20)');
    await shot(page, 'live-event');
  });

  it('offers the standoff picker once there are two standoffs', async () => {
    await request(app.server)
      .post('/v1/standoffs/second-standoff/events')
      .send({
        type: 'appeal.made',
        occurredAt: '2023-03-01',
        actor: 'FRA',
        target: 'DEU',
        summary: 'A second one',
      })
      .expect(201);
    await page.reload();
    await shown(page, 'now', 'now');
    expect(await page.isVisible('#standoff-picker')).toBe(true);
    await page.selectOption('#standoff', 'second-standoff');
    await page.waitForFunction(() => document.querySelectorAll('#timeline li.event').length === 1);
    expect(new URL(page.url()).searchParams.get('standoff')).toBe('second-standoff');
    await page.selectOption('#standoff', seed.standoffId);
    await page.waitForFunction(() => document.querySelectorAll('#timeline li.event').length === 19);
  });

  it('takes keyboard focus to every control, in order', async () => {
    // Every visible control, in document order.
    const controls = await page.$$eval(
      'a[href], button, input, select, summary, [tabindex]:not([tabindex="-1"])',
      (elements) =>
        elements
          .filter((e) => (e as HTMLElement).offsetParent !== null || e.tagName === 'SUMMARY')
          .filter((e) => (e as HTMLElement).getClientRects().length > 0)
          .map((e, i) => {
            (e as HTMLElement).dataset.control = String(i);
            return String(i);
          }),
    );
    expect(controls.length).toBeGreaterThan(25);
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const reached: string[] = [];
    // A date input takes one Tab per field (day, month, year): room for those, and a few more.
    const dateFields = 3 * (await page.$$('input[type="date"]')).length;
    for (let i = 0; i < controls.length + dateFields + 5; i++) {
      await page.keyboard.press('Tab');
      const control = await page.evaluate(
        () => (document.activeElement as HTMLElement | null)?.dataset.control,
      );
      if (control !== undefined && !reached.includes(control)) reached.push(control);
    }
    expect(reached).toEqual(controls);
    for (const id of [
      'standoff',
      'as-of',
      'known-at',
      'now-button',
      'actor-filter',
      'type-filter',
      'clear-filters',
      'change-axis',
      'change-from',
      'change-to',
      'change-show',
    ]) {
      expect(await page.$eval(`#${id}`, (e) => (e as HTMLElement).dataset.control)).toBeDefined();
    }
    await page.focus('#as-of');
    await shot(page, 'keyboard-focus');
  });

  it('has no horizontal scroll at 390 px wide, details open included', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.$$eval('#timeline details', (all) =>
      all.forEach((d) => ((d as HTMLDetailsElement).open = true)),
    );
    const { scrollWidth, clientWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
    }));
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    expect(clientWidth).toBe(390);
    await shot(page, 'narrow-390');
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(errors).toEqual([]);
  });

  it('follows the §7 feed instead of polling once the API lists it', async () => {
    // The feed is another engineer's work: here the browser is shown an API that has it.
    const feedPage = await browser.browser.newPage({ viewport: { width: 1280, height: 800 } });
    const feedErrors = collectErrors(feedPage);
    let release: (version: string) => void = () => undefined;
    const posted = new Promise<string>((resolve) => (release = resolve));
    const feedUrls: string[] = [];
    let polls = 0;
    await feedPage.route('**/openapi.json', async (route) => {
      const response = await route.fetch();
      const document = await response.json();
      document.paths['/v1/standoffs/{standoffId}/feed'] = {
        get: { responses: { '200': { description: 'SSE' } } },
      };
      await route.fulfill({ response, json: document });
    });
    await feedPage.route(/\/v1\/standoffs\/[^/]+\/feed/, async (route) => {
      feedUrls.push(route.request().url());
      const version = await posted;
      await route.fulfill({
        status: 200,
        headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' },
        body: `retry: 600000\nid: ${version}\nevent: statement.made\ndata: {"version":${version}}\n\n`,
      });
    });
    feedPage.on('request', (req) => {
      if (new URL(req.url()).pathname === `/v1/standoffs/${seed.standoffId}`) polls += 1;
    });
    const feedOpened = feedPage.waitForRequest(/\/feed\?after=/);
    await feedPage.goto(`${baseUrl(app)}/`);
    await shown(feedPage, 'now', 'now');
    await feedOpened;
    const before = await feedPage.getAttribute('body', 'data-version');
    expect(feedUrls).toEqual([`${baseUrl(app)}/v1/standoffs/${seed.standoffId}/feed?after=${before}`]);

    const response = await request(app.server)
      .post(`/v1/standoffs/${seed.standoffId}/events`)
      .send({
        type: 'appeal.made',
        occurredAt: '2022-02-03',
        actor: 'FRA',
        target: 'RUS',
        summary: 'Paris appeals',
      })
      .expect(201);
    release(String(response.headers.etag).replace(/"/g, ''));
    await feedPage.waitForSelector(`#timeline li[data-event-id="${response.body.eventId}"]`, {
      timeout: TIMEOUT,
    });
    expect(await feedPage.getAttribute('#live-status', 'data-mode')).toBe('feed');
    // The one summary read is the page's own when it loaded: nothing polled.
    expect(polls).toBe(1);
    await feedPage.close();
    expect(feedErrors).toEqual([]);
  });

  it('falls back to polling when the listed feed fails', async () => {
    const fallbackPage = await browser.browser.newPage({ viewport: { width: 1280, height: 800 } });
    // The failed feed is the one error the browser logs here.
    const fallbackErrors = collectErrors(fallbackPage, (m) => m.location().url.includes('/feed'));
    // The API lists its feed, but a proxy in between refuses streams.
    await fallbackPage.route(/\/feed\?/, (route) => route.fulfill({ status: 503, body: 'no streams here' }));
    await fallbackPage.goto(`${baseUrl(app)}/`);
    await shown(fallbackPage, 'now', 'now');
    await fallbackPage.waitForFunction(
      () => document.getElementById('live-status')?.dataset.mode === 'polling',
    );
    const response = await request(app.server)
      .post(`/v1/standoffs/${seed.standoffId}/events`)
      .send({
        type: 'appeal.made',
        occurredAt: '2022-02-04',
        actor: 'DEU',
        target: 'RUS',
        summary: 'Berlin too',
      })
      .expect(201);
    await fallbackPage.waitForSelector(`#timeline li[data-event-id="${response.body.eventId}"]`, {
      timeout: TIMEOUT,
    });
    await fallbackPage.close();
    expect(fallbackErrors).toEqual([]);
  });
});

describe('the page and /docs with API keys', () => {
  let app: TestApp;
  let browser: TestBrowser;
  const shot = screenshots('docs');
  const WRITER = 'writer-key';

  beforeAll(async () => {
    app = await startTestApp('page-keys', {
      log: 'embedded',
      env: { API_KEYS: `reader:reader-key,writer:${WRITER}`, DECISION_WAIT_MS: '20000' },
    });
    await postSeed(app, { Authorization: `Bearer ${WRITER}` });
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (app) await dropSchema(app.schema);
  });

  it('asks for a key, keeps it for the tab, and sends it as a bearer token', async () => {
    const page = await browser.browser.newPage({ viewport: { width: 1280, height: 800 } });
    // The 401 that makes the page ask is the one failure a browser logs here.
    const errors = collectErrors(page, (m) => /status of 401/.test(m.text()));
    await page.goto(`${baseUrl(app)}/`);
    await page.waitForSelector('#api-key', { state: 'visible' });
    expect(await page.isHidden('#main')).toBe(true);
    await page.fill('#api-key', 'reader-key');
    await page.press('#api-key', 'Enter');
    await shown(page, 'now', 'now');
    expect(await page.evaluate(() => sessionStorage.getItem('standoff-timeline.api-key'))).toBe('reader-key');
    await page.reload();
    await shown(page, 'now', 'now');
    expect(await page.isHidden('#key-form-section')).toBe(true);
    expect(await page.isVisible('#forget-key')).toBe(true);
    await shot(page, 'page-with-key');
    await page.close();
    expect(errors).toEqual([]);
  });

  it('renders /docs, whose "Try it out" posts an event with the bearer key given to "Authorize"', async () => {
    const page = await browser.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = collectErrors(page);
    await page.goto(`${baseUrl(app)}/docs`);
    await page.waitForSelector('.opblock', { timeout: TIMEOUT });
    expect((await page.$$('.opblock')).length).toBeGreaterThanOrEqual(10);
    await shot(page, 'docs');

    await page.click('button.authorize');
    await page.fill('.modal-ux input[type=text], .modal-ux input[type=password]', WRITER);
    await page.click('.modal-ux button.authorize[type=submit]');
    await page.click('.modal-ux button.btn-done');

    const operation = page.locator('#operations-standoffs-StandoffsController_appendEvent');
    await operation.locator('.opblock-summary').click();
    await operation.locator('button.try-out__btn').click();
    await operation.locator('input[placeholder="standoffId"]').fill(seed.standoffId);
    const event = {
      type: 'statement.made',
      occurredAt: '2022-02-03',
      actor: 'USA',
      target: ['RUS'],
      summary: 'Posted from the API documentation',
    };
    await operation.locator('textarea.body-param__text').fill(JSON.stringify(event, null, 2));
    await operation.locator('button.execute').click();
    const status = operation.locator('.live-responses-table .response .response-col_status');
    await status.first().waitFor({ timeout: TIMEOUT });
    expect((await status.first().innerText()).trim()).toBe('201');
    await shot(page, 'docs-try-it-out');

    const timeline = await request(app.server)
      .get(`/v1/standoffs/${seed.standoffId}/events?from=2022-02-03`)
      .set('Authorization', 'Bearer reader-key')
      .expect(200);
    expect(timeline.body.items.map((e: { summary: string }) => e.summary)).toEqual([event.summary]);
    await page.close();
    expect(errors).toEqual([]);
  });
});
