import type { INestApplication } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { ApiKey } from '@app/platform/config';
import { StandoffsController } from '../standoffs/standoffs.controller';
import { configureHttp, MAX_LISTED_ERRORS, problem, SERVER_TIMEOUTS } from './index';

/** Bad input that used to get through: each answer is the one DESIGN.md §4 names, as problem+json. */

interface Harness {
  app: INestApplication;
  port: number;
  commandBus: { execute: jest.Mock };
}

async function startApp(apiKeys: readonly ApiKey[] = []): Promise<Harness> {
  const commandBus = { execute: jest.fn() };
  const moduleRef = await Test.createTestingModule({
    controllers: [StandoffsController],
    providers: [
      { provide: CommandBus, useValue: commandBus },
      { provide: QueryBus, useValue: { execute: jest.fn() } },
    ],
  }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: false });
  configureHttp(app, { apiKeys });
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  return { app, port, commandBus };
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  body: Record<string, unknown>;
}

/** A request with exactly these bytes and headers (supertest would re-encode the body). */
function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer | string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: Record<string, unknown> = {};
        try {
          parsed = JSON.parse(text) as Record<string, unknown>;
        } catch {
          parsed = {};
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Raw bytes on a socket, for what Node's own HTTP parser refuses; resolves with the whole answer. */
function sendRaw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
}

function expectProblem(res: Answer, status: number): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, type: expect.stringMatching(/^https:\/\//) });
}

const JSON_TYPE = { 'Content-Type': 'application/json' };
const EVENT = JSON.stringify({ type: 'statement.made' });

describe('hostile input at the HTTP edge', () => {
  describe('without API keys', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startApp();
    });
    afterAll(() => h.app.close());
    beforeEach(() => h.commandBus.execute.mockReset());

    it.each(['/v1/standoffs/%zz/events', '/v1/standoffs/%zz/events:batch', '/v1/standoffs/a%E0%A4%A/events'])(
      'refuses the undecodable path %s with 400, not 500',
      async (path) => {
        const res = await send(h.port, 'POST', path, JSON_TYPE, EVENT);
        expectProblem(res, 400);
        expect(res.body.errors).toEqual([{ path: 'path', message: expect.stringMatching(/percent/) }]);
        expect(h.commandBus.execute).not.toHaveBeenCalled();
      },
    );

    it('refuses Content-Encoding: gzip on a plain body with 400, not 500', async () => {
      const res = await send(
        h.port,
        'POST',
        '/v1/standoffs/ukraine-2022/events',
        {
          ...JSON_TYPE,
          'Content-Encoding': 'gzip',
        },
        EVENT,
      );
      expectProblem(res, 400);
      expect(res.body.detail).toMatch(/Content-Encoding/);
    });

    it('still reads a body that is gzip as it says', async () => {
      h.commandBus.execute.mockResolvedValue({ outcome: 'pending', eventIds: ['x'] });
      const res = await send(
        h.port,
        'POST',
        '/v1/standoffs/ukraine-2022/events',
        {
          ...JSON_TYPE,
          'Content-Encoding': 'gzip',
        },
        gzipSync(EVENT),
      );
      expect(res.status).toBe(202);
      expect(h.commandBus.execute.mock.calls[0][0].events).toEqual([{ type: 'statement.made' }]);
    });

    it.each([
      ['Content-Length: 0', { 'Content-Length': '0' }],
      ['chunked, no bytes', { 'Transfer-Encoding': 'chunked' }],
    ])('refuses an empty JSON body (%s) with 400, not 422', async (_name, framing) => {
      for (const path of ['/v1/standoffs/ukraine-2022/events', '/v1/standoffs/ukraine-2022/events:batch']) {
        const res = await send(h.port, 'POST', path, { ...JSON_TYPE, ...framing }, '');
        expectProblem(res, 400);
        expect(res.body.detail).toMatch(/empty/);
      }
      expect(h.commandBus.execute).not.toHaveBeenCalled();
    });

    it.each(['utf-16', 'UTF-16LE', 'utf-32', '"utf-16"'])('refuses charset=%s with 415', async (charset) => {
      const res = await send(
        h.port,
        'POST',
        '/v1/standoffs/ukraine-2022/events',
        {
          'Content-Type': `application/json; charset=${charset}`,
        },
        Buffer.from(EVENT, 'utf16le'),
      );
      expectProblem(res, 415);
      expect(res.body.detail).toMatch(/UTF-8/);
    });

    it('refuses invalid UTF-8 with 400 instead of storing U+FFFD', async () => {
      const bytes = Buffer.concat([
        Buffer.from('{"type":"statement.made","summary":"a'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('"}'),
      ]);
      const res = await send(h.port, 'POST', '/v1/standoffs/ukraine-2022/events', JSON_TYPE, bytes);
      expectProblem(res, 400);
      expect(res.body.detail).toMatch(/UTF-8/);
      expect(h.commandBus.execute).not.toHaveBeenCalled();
    });

    it('still reads UTF-8 beyond ASCII', async () => {
      h.commandBus.execute.mockResolvedValue({ outcome: 'pending', eventIds: ['x'] });
      const res = await send(
        h.port,
        'POST',
        '/v1/standoffs/ukraine-2022/events',
        {
          'Content-Type': 'application/json; charset=UTF-8',
        },
        Buffer.from('{"summary":"Зеленський 🇺🇦"}', 'utf8'),
      );
      expect(res.status).toBe(202);
      expect(h.commandBus.execute.mock.calls[0][0].events[0].summary).toBe('Зеленський 🇺🇦');
    });

    it.each([
      [
        'an oversized header',
        431,
        `GET /v1/standoffs HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      ],
      ['an unknown method', 400, 'FETCH /v1/standoffs HTTP/1.1\r\nHost: x\r\n\r\n'],
      [
        'Content-Length beside chunked framing',
        400,
        'POST /v1/standoffs/a/events HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      ],
    ])("answers Node's own rejection of %s with a %d problem", async (_name, status, bytes) => {
      const answer = await sendRaw(h.port, bytes);
      const [head, body] = answer.split('\r\n\r\n');
      expect(head).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(head).toMatch(/content-type: application\/problem\+json/i);
      expect(JSON.parse(body)).toMatchObject({
        status,
        title: expect.any(String),
        detail: expect.any(String),
      });
    });

    it('sets explicit server timeouts, keep-alive shorter than the header timeout', () => {
      const server = h.app.getHttpServer();
      expect(server.headersTimeout).toBe(SERVER_TIMEOUTS.headersTimeoutMs);
      expect(server.requestTimeout).toBe(SERVER_TIMEOUTS.requestTimeoutMs);
      expect(server.keepAliveTimeout).toBe(SERVER_TIMEOUTS.keepAliveTimeoutMs);
      expect(server.keepAliveTimeout).toBeLessThan(server.headersTimeout);
    });
  });

  describe('with API keys: authenticate before reading the body', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startApp([
        { role: 'reader', key: 'reader-key' },
        { role: 'writer', key: 'writer-key' },
      ]);
    });
    afterAll(() => h.app.close());

    it.each([
      ['malformed JSON', JSON_TYPE, '{"type":'],
      ['an oversized body', JSON_TYPE, JSON.stringify({ summary: 'x'.repeat(70 * 1024) })],
      ['text/plain', { 'Content-Type': 'text/plain' }, 'hello'],
      ['a UTF-16 body', { 'Content-Type': 'application/json; charset=utf-16' }, 'x'],
    ])('answers %s without a key with 401', async (_name, headers, body) => {
      const res = await send(h.port, 'POST', '/v1/standoffs/ukraine-2022/events', headers, body);
      expectProblem(res, 401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(h.commandBus.execute).not.toHaveBeenCalled();
    });

    it('answers an unknown key with 401 and a reader key with 403, body unread', async () => {
      const body = JSON.stringify({ summary: 'x'.repeat(70 * 1024) });
      const unknown = await send(
        h.port,
        'POST',
        '/v1/standoffs/ukraine-2022/events',
        {
          ...JSON_TYPE,
          Authorization: 'Bearer nope',
        },
        body,
      );
      expectProblem(unknown, 401);
      const reader = await send(
        h.port,
        'POST',
        '/v1/standoffs/ukraine-2022/events',
        {
          ...JSON_TYPE,
          Authorization: 'Bearer reader-key',
        },
        body,
      );
      expectProblem(reader, 403);
    });

    it('reads the body of a writer, with its usual answers', async () => {
      const res = await send(
        h.port,
        'POST',
        '/v1/standoffs/ukraine-2022/events',
        {
          ...JSON_TYPE,
          Authorization: 'Bearer writer-key',
        },
        JSON.stringify({ summary: 'x'.repeat(70 * 1024) }),
      );
      expectProblem(res, 413);
    });
  });
});

describe('a problem with many field errors', () => {
  it(`lists the first ${MAX_LISTED_ERRORS} and says how many more there are`, () => {
    const errors = Array.from({ length: 99_999 }, (_, i) => ({ path: `/target/${i}`, message: 'bad' }));
    const rendered = problem('validation', 'Invalid', 422, '99999 field(s) are invalid', errors);
    expect(rendered.errors).toHaveLength(MAX_LISTED_ERRORS);
    expect(rendered.errors?.[0]).toEqual({ path: '/target/0', message: 'bad' });
    expect(rendered.moreErrors).toBe(99_999 - MAX_LISTED_ERRORS);
    expect(rendered.detail).toMatch(/first 100 are listed, 99899 more/);
    expect(JSON.stringify(rendered).length).toBeLessThan(10_000);
  });

  it('lists every error when there are few', () => {
    const errors = [{ path: '/a', message: 'bad' }];
    expect(problem('validation', 'Invalid', 422, 'one', errors)).toEqual(
      expect.objectContaining({ errors, detail: 'one' }),
    );
    expect(problem('validation', 'Invalid', 422, 'one', errors)).not.toHaveProperty('moreErrors');
  });
});
