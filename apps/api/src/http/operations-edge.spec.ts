import { Controller, Get, Logger, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { ApiKey } from '@app/platform/config';
import { capturingLogs } from '../../../../test/support/json-log';
import { StandoffsController } from '../standoffs/standoffs.controller';
import { configureHttp, Public, type FinishedRequest } from './index';

/** Request ids, the access log, security headers, rate limits: what an operator relies on at the edge. */

@Controller()
class ProbeController {
  @Public()
  @Get('health/live')
  live(): { status: string } {
    return { status: 'ok' };
  }

  @Post('v1/standoffs/:standoffId/notes')
  note(): { ok: boolean } {
    new Logger('Handler').log('handling a note');
    return { ok: true };
  }
}

interface Harness {
  app: NestExpressApplication;
  finished: FinishedRequest[];
  commandBus: { execute: jest.Mock };
}

async function startApp(apiKeys: readonly ApiKey[], rateLimitPerMinute = 0): Promise<Harness> {
  const commandBus = { execute: jest.fn() };
  const moduleRef = await Test.createTestingModule({
    controllers: [StandoffsController, ProbeController],
    providers: [
      { provide: CommandBus, useValue: commandBus },
      { provide: QueryBus, useValue: { execute: jest.fn().mockResolvedValue([]) } },
    ],
  }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: false });
  const finished: FinishedRequest[] = [];
  configureHttp(app, { apiKeys, rateLimitPerMinute }, { observe: (r) => finished.push(r) });
  await app.init();
  return { app, finished, commandBus };
}

const WRITER = 'writer-key';
const OTHER_WRITER = 'other-writer-key';

describe('the operations edge', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startApp([{ role: 'writer', key: WRITER }]);
  });
  afterAll(() => h.app.close());
  const server = () => h.app.getHttpServer();

  it('returns the X-Request-Id a client sent, and makes one otherwise', async () => {
    const given = await request(server()).get('/health/live').set('X-Request-Id', 'trace-42.a');
    expect(given.headers['x-request-id']).toBe('trace-42.a');
    const made = await request(server()).get('/health/live');
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const unruly = await request(server()).get('/health/live').set('X-Request-Id', 'a b "c"');
    expect(unruly.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('writes one JSON line per access, and handler entries carry the request id and standoff', async () => {
    const lines = await capturingLogs(async () => {
      await request(server())
        .post('/v1/standoffs/ukraine-2022/notes')
        .set('Authorization', `Bearer ${WRITER}`)
        .set('X-Request-Id', 'req-1')
        .send({ text: 'a body, read in the socket callbacks' })
        .expect(201);
    });
    const handler = lines.find((l) => l.context === 'Handler');
    expect(handler).toMatchObject({
      level: 'info',
      message: 'handling a note',
      requestId: 'req-1',
      standoffId: 'ukraine-2022',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    const access = lines.find((l) => l.context === 'Access');
    expect(access).toMatchObject({
      level: 'info',
      requestId: 'req-1',
      standoffId: 'ukraine-2022',
      method: 'POST',
      path: '/v1/standoffs/ukraine-2022/notes',
      route: '/v1/standoffs/:standoffId/notes',
      status: 201,
      durationMs: expect.any(Number),
    });
  });

  it('tells the metrics each request by its route pattern, status and duration', async () => {
    h.finished.length = 0;
    await request(server()).get('/v1/standoffs/anything/nowhere').expect(404);
    await request(server()).post('/v1/standoffs/ukraine-2022/notes').send({}).expect(401);
    await request(server())
      .post('/v1/standoffs/ukraine-2022/notes')
      .set('Authorization', `Bearer ${WRITER}`)
      .expect(201);
    expect(h.finished).toEqual([
      { method: 'GET', route: '(unmatched)', status: 404, seconds: expect.any(Number) },
      { method: 'POST', route: '(edge)', status: 401, seconds: expect.any(Number) },
      { method: 'POST', route: '/v1/standoffs/:standoffId/notes', status: 201, seconds: expect.any(Number) },
    ]);
  });

  it('sends security headers, and the strictest content policy on API answers', async () => {
    const res = await request(server()).get('/health/live');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['strict-transport-security']).toMatch(/max-age=/);
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});

describe('rate limits', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startApp(
      [
        { role: 'writer', key: WRITER },
        { role: 'writer', key: OTHER_WRITER },
      ],
      3,
    );
  });
  afterAll(() => h.app.close());
  const server = () => h.app.getHttpServer();
  const note = (key: string) =>
    request(server()).post('/v1/standoffs/ukraine-2022/notes').set('Authorization', `Bearer ${key}`);

  it('answers a key over its limit with 429 problem+json and Retry-After; another key keeps its budget', async () => {
    for (let i = 0; i < 3; i++) await note(WRITER).expect(201);
    const limited = await note(WRITER);
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.body).toMatchObject({ status: 429, title: 'Too Many Requests' });
    expect(limited.body.detail).toMatch(/3 requests a minute from this API key/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    await note(OTHER_WRITER).expect(201);
  });

  it('never limits the health probes', async () => {
    for (let i = 0; i < 6; i++) await request(server()).get('/health/live').expect(200);
  });
});
