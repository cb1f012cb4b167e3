import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import request from 'supertest';

/**
 * Small HTTP helpers for the end-to-end tests: the write routes as a client calls them, a few valid events of
 * the catalogue to post, and the problem+json checks every error answer must pass (DESIGN.md §4).
 */

/** A listening server (supertest) or a base URL such as `http://127.0.0.1:3000` (a child process). */
export type HttpTarget = Server | string;

export type Headers = Readonly<Record<string, string>>;

export type JsonObject = Record<string, unknown>;

export function eventsPath(standoffId: string): string {
  return `/v1/standoffs/${standoffId}/events`;
}

export function batchPath(standoffId: string): string {
  return `/v1/standoffs/${standoffId}/events:batch`;
}

/** `If-Match: "<version>"`, "0" for a standoff that has no event yet. */
export function ifMatch(version: number): Headers {
  return { 'If-Match': `"${version}"` };
}

export function postEvent(
  target: HttpTarget,
  standoffId: string,
  event: unknown,
  headers: Headers = {},
): request.Test {
  return request(target)
    .post(eventsPath(standoffId))
    .set(headers)
    .send(event as object);
}

export function postBatch(
  target: HttpTarget,
  standoffId: string,
  events: readonly unknown[],
  headers: Headers = {},
): request.Test {
  return request(target).post(batchPath(standoffId)).set(headers).send({ events });
}

export function getStandoff(target: HttpTarget, standoffId: string): request.Test {
  return request(target).get(`/v1/standoffs/${standoffId}`);
}

export function getEvent(target: HttpTarget, standoffId: string, eventId: string): request.Test {
  return request(target).get(`${eventsPath(standoffId)}/${eventId}`);
}

/** The standoff's version as the API reports it; 0 while it has no accepted event (404). */
export async function currentVersion(target: HttpTarget, standoffId: string): Promise<number> {
  const res = await getStandoff(target, standoffId);
  if (res.status === 404) return 0;
  if (res.status !== 200) throw new Error(`GET ${standoffId} answered ${res.status}: ${res.text}`);
  return (res.body as { version: number }).version;
}

/** A fresh standoff id no other test uses. */
export function freshStandoffId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A statement by Russia to the United States: the simplest valid event, no data rules. */
export function statement(overrides: JsonObject = {}): JsonObject {
  return {
    type: 'statement.made',
    occurredAt: '2022-01-10',
    reportedAt: '2022-01-10',
    actor: 'RUS',
    target: 'USA',
    summary: 'Russia says the talks will go on',
    ...overrides,
  };
}

export function demandTabled(demandId: string, overrides: JsonObject = {}): JsonObject {
  return {
    type: 'demand.tabled',
    occurredAt: '2021-12-17',
    reportedAt: '2021-12-17',
    actor: 'RUS',
    target: ['NATO', 'USA'],
    summary: `Russia tables the demand ${demandId}`,
    data: { demandId, text: 'Bar Ukraine from ever joining NATO' },
    ...overrides,
  };
}

export function demandRejected(demandId: string, overrides: JsonObject = {}): JsonObject {
  return {
    type: 'demand.rejected',
    occurredAt: '2022-01-26',
    reportedAt: '2022-01-26',
    actor: 'USA',
    target: 'RUS',
    summary: `The United States rejects the demand ${demandId}`,
    data: { demandId },
    ...overrides,
  };
}

export interface ExpectedProblem {
  /** The end of the `type` URI, e.g. `version-mismatch`. */
  readonly type?: string;
  /** JSON pointers or parameter names that `errors` must name. */
  readonly paths?: readonly string[];
}

/**
 * The response is an RFC 9457 problem with this status: `application/problem+json`, `type`, `title`,
 * `status`, `detail`, and, when present, `errors` as `[{ path, message }]`.
 */
export function expectProblem(res: request.Response, status: number, expected: ExpectedProblem = {}): void {
  if (res.status !== status) {
    throw new Error(`expected a ${status} problem, got ${res.status}: ${res.text}`);
  }
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.body as JsonObject;
  expect(body).toEqual(
    expect.objectContaining({
      type: expect.stringMatching(/^https?:\/\/\S+$/),
      title: expect.any(String),
      status,
      detail: expect.any(String),
    }),
  );
  if (body.errors !== undefined) {
    expect(body.errors).toEqual(
      expect.arrayContaining([{ path: expect.any(String), message: expect.any(String) }]),
    );
    for (const error of body.errors as unknown[]) {
      expect(error).toEqual({ path: expect.any(String), message: expect.any(String) });
    }
  }
  if (expected.type !== undefined) expect(body.type).toMatch(new RegExp(`/${expected.type}$`));
  if (expected.paths !== undefined) {
    const named = ((body.errors ?? []) as { path: string }[]).map((e) => e.path);
    expect(named).toEqual(expect.arrayContaining([...expected.paths]));
  }
}

/** Fails with the response text when the status is not the expected one (clearer than a bare toBe). */
export function expectStatus(res: request.Response, status: number): void {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${res.text}`);
}
