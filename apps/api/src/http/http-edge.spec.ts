import { Controller, Get, INestApplication, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { ApiKey } from '@app/platform/config';
import { AppendEventsCommand, AppendResult } from '../standoffs/commands/append-events.command';
import { GetEventQuery, GetStandoffQuery, ListStandoffsQuery } from '../standoffs/queries/standoffs.query';
import { StandoffsController } from '../standoffs/standoffs.controller';
import { AdminOnly, configureHttp, problem, Public } from './index';

const EVENT_ID = '0b6d3c1e-4f0a-4c7e-9a55-2f1d0c9b8e71';
const SECOND_ID = '5f0e7a52-98c4-4b8e-8d55-7c7ad1e2b3f4';
const storedEvent = { eventId: EVENT_ID, standoffId: 'ukraine-2022', position: 3, type: 'statement.made' };
const summary = {
  standoffId: 'ukraine-2022',
  title: 'Ukraine 2022',
  version: 7,
  eventCount: 6,
  firstEventAt: '2021-11-10',
  lastEventAt: '2022-02-24',
};

/** Routes that only exist to exercise the guard's decorators. */
@Controller()
class OperationsController {
  @Public()
  @Get('health/live')
  live(): { status: string } {
    return { status: 'ok' };
  }

  @AdminOnly()
  @Get('v1/admin/stats')
  stats(): { ok: boolean } {
    return { ok: true };
  }

  @Get('v1/boom')
  boom(): never {
    throw new Error('secret internal detail');
  }

  @Post('v1/echo')
  echo(): { ok: boolean } {
    return { ok: true };
  }
}

interface Harness {
  app: INestApplication;
  commandBus: { execute: jest.Mock };
  queryBus: { execute: jest.Mock };
}

async function startApp(apiKeys: readonly ApiKey[] = []): Promise<Harness> {
  const commandBus = { execute: jest.fn() };
  const queryBus = { execute: jest.fn() };
  const moduleRef = await Test.createTestingModule({
    controllers: [StandoffsController, OperationsController],
    providers: [
      { provide: CommandBus, useValue: commandBus },
      { provide: QueryBus, useValue: queryBus },
    ],
  }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, logger: false });
  configureHttp(app, { apiKeys });
  await app.init();
  return { app, commandBus, queryBus };
}

function expectProblem(res: request.Response, status: number): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toEqual(
    expect.objectContaining({
      type: expect.stringMatching(/^https:\/\//),
      title: expect.any(String),
      status,
      detail: expect.any(String),
    }),
  );
}

const accepted = (events: unknown[], version: number): AppendResult => ({
  outcome: 'accepted',
  events,
  version,
});

describe('the HTTP edge', () => {
  describe('without API keys', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startApp();
    });
    afterAll(async () => {
      await h.app.close();
    });
    beforeEach(() => {
      h.commandBus.execute.mockReset();
      h.queryBus.execute.mockReset();
    });
    const server = () => h.app.getHttpServer();

    describe('reading bodies', () => {
      it('answers malformed JSON with a 400 problem that says why', async () => {
        const res = await request(server())
          .post('/v1/standoffs/ukraine-2022/events')
          .set('Content-Type', 'application/json')
          .send('{"type": "statement.made",');
        expectProblem(res, 400);
        expect(res.body.type).toMatch(/malformed-json$/);
        expect(res.body.detail).toMatch(/not valid JSON/);
        expect(h.commandBus.execute).not.toHaveBeenCalled();
      });

      it('refuses a JSON scalar body under strict parsing', async () => {
        const res = await request(server())
          .post('/v1/standoffs/ukraine-2022/events')
          .set('Content-Type', 'application/json')
          .send('"just a string"');
        expectProblem(res, 400);
      });

      it('refuses a single event over 64 KiB with 413', async () => {
        const res = await request(server())
          .post('/v1/standoffs/ukraine-2022/events')
          .send({ type: 'statement.made', summary: 'x'.repeat(65 * 1024) });
        expectProblem(res, 413);
        expect(res.body.detail).toMatch(/64 KiB/);
        expect(h.commandBus.execute).not.toHaveBeenCalled();
      });

      it('accepts a batch over 64 KiB, the batch limit being 1 MiB', async () => {
        h.commandBus.execute.mockResolvedValue(accepted([storedEvent], 1));
        const res = await request(server())
          .post('/v1/standoffs/ukraine-2022/events:batch')
          .send({ events: [{ type: 'statement.made', summary: 'x'.repeat(200 * 1024) }] });
        expect(res.status).toBe(201);
      });

      it('refuses a 2 MiB batch with 413', async () => {
        const res = await request(server())
          .post('/v1/standoffs/ukraine-2022/events:batch')
          .send({ events: [{ type: 'statement.made', summary: 'x'.repeat(2 * 1024 * 1024) }] });
        expectProblem(res, 413);
        expect(res.body.detail).toMatch(/1 MiB/);
      });

      it('refuses text/plain with 415', async () => {
        const res = await request(server())
          .post('/v1/standoffs/ukraine-2022/events')
          .set('Content-Type', 'text/plain')
          .send('{"type":"statement.made"}');
        expectProblem(res, 415);
        expect(res.headers['accept-post']).toBe('application/json');
        expect(h.commandBus.execute).not.toHaveBeenCalled();
      });

      it('refuses a form body with 415', async () => {
        const res = await request(server())
          .post('/v1/standoffs/ukraine-2022/events')
          .type('form')
          .send('a=1');
        expectProblem(res, 415);
      });

      it('refuses a charset other than UTF-8 with 415', async () => {
        const res = await request(server())
          .post('/v1/standoffs/ukraine-2022/events')
          .set('Content-Type', 'application/json; charset=latin1')
          .send('{"type":"statement.made"}');
        expectProblem(res, 415);
      });

      it.each(['application/json; charset=utf-8', 'application/merge-patch+json'])(
        'reads %s',
        async (type) => {
          h.commandBus.execute.mockResolvedValue(accepted([storedEvent], 3));
          const res = await request(server())
            .post('/v1/standoffs/ukraine-2022/events')
            .set('Content-Type', type)
            .send('{"type":"statement.made"}');
          expect(res.status).toBe(201);
          expect(h.commandBus.execute.mock.calls[0][0].events).toEqual([{ type: 'statement.made' }]);
        },
      );

      it('refuses a body that is a JSON array with 400', async () => {
        const res = await request(server())
          .post('/v1/standoffs/ukraine-2022/events')
          .send([{ type: 'x' }]);
        expectProblem(res, 400);
        expect(res.body.errors).toEqual([{ path: '', message: expect.any(String) }]);
      });

      it('refuses a POST without a body with 400', async () => {
        const res = await request(server()).post('/v1/standoffs/ukraine-2022/events');
        expectProblem(res, 400);
      });

      it('applies the default limit and the 415 check to other routes too', async () => {
        const tooLarge = await request(server())
          .post('/v1/echo')
          .send({ blob: 'x'.repeat(65 * 1024) });
        expectProblem(tooLarge, 413);
        const plain = await request(server()).post('/v1/echo').set('Content-Type', 'text/plain').send('hi');
        expectProblem(plain, 415);
      });
    });

    describe('batches', () => {
      it.each([
        [{}, '/events'],
        [{ events: 'nope' }, '/events'],
        [{ events: [] }, '/events'],
        [{ events: [{ type: 'a' }, 7] }, '/events/1'],
      ])('refuses %j with 400 naming %s', async (body, path) => {
        const res = await request(server()).post('/v1/standoffs/ukraine-2022/events:batch').send(body);
        expectProblem(res, 400);
        expect(res.body.errors).toEqual([{ path, message: expect.any(String) }]);
      });

      it('refuses more than 1000 events with 413', async () => {
        const events = Array.from({ length: 1001 }, () => ({}));
        const res = await request(server()).post('/v1/standoffs/ukraine-2022/events:batch').send({ events });
        expectProblem(res, 413);
        expect(res.body.detail).toMatch(/1000/);
      });

      it('answers 201 with { events }, the version as ETag and the first event as Location', async () => {
        const second = { ...storedEvent, eventId: SECOND_ID, position: 4 };
        h.commandBus.execute.mockResolvedValue(accepted([storedEvent, second], 4));
        const res = await request(server())
          .post('/v1/standoffs/ukraine-2022/events:batch')
          .set('If-Match', '"2"')
          .send({ events: [{ type: 'a' }, { type: 'b' }] });
        expect(res.status).toBe(201);
        expect(res.body).toEqual({ events: [storedEvent, second] });
        expect(res.headers.etag).toBe('"4"');
        expect(res.headers.location).toBe(`/v1/standoffs/ukraine-2022/events/${EVENT_ID}`);
        const command: AppendEventsCommand = h.commandBus.execute.mock.calls[0][0];
        expect(command).toBeInstanceOf(AppendEventsCommand);
        expect(command).toMatchObject({ standoffId: 'ukraine-2022', batch: true, expectedVersion: 2 });
        expect(command.events).toEqual([{ type: 'a' }, { type: 'b' }]);
      });

      it('answers a pending batch with 202 and its event ids', async () => {
        h.commandBus.execute.mockResolvedValue({ outcome: 'pending', eventIds: [EVENT_ID, SECOND_ID] });
        const res = await request(server())
          .post('/v1/standoffs/ukraine-2022/events:batch')
          .send({ events: [{}, {}] });
        expect(res.status).toBe(202);
        expect(res.body).toEqual({ eventIds: [EVENT_ID, SECOND_ID], status: 'pending' });
        expect(res.headers.location).toBe(`/v1/standoffs/ukraine-2022/events/${EVENT_ID}`);
      });
    });

    describe('appending one event', () => {
      it('answers 201 with the stored event, ETag and Location', async () => {
        h.commandBus.execute.mockResolvedValue(accepted([storedEvent], 3));
        const res = await request(server())
          .post('/v1/standoffs/ukraine-2022/events')
          .set('Idempotency-Key', 'client-key-1')
          .send({ type: 'statement.made' });
        expect(res.status).toBe(201);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(res.body).toEqual(storedEvent);
        expect(res.headers.etag).toBe('"3"');
        expect(res.headers.location).toBe(`/v1/standoffs/ukraine-2022/events/${EVENT_ID}`);
        expect(h.commandBus.execute.mock.calls[0][0]).toMatchObject({
          standoffId: 'ukraine-2022',
          events: [{ type: 'statement.made' }],
          batch: false,
          idempotencyKey: 'client-key-1',
          expectedVersion: null,
        });
      });

      it('answers a 412 rejection with the current version as ETag', async () => {
        h.commandBus.execute.mockResolvedValue({
          outcome: 'rejected',
          problem: problem(
            'version-mismatch',
            'Precondition Failed',
            412,
            'The standoff is at version 5, not 4.',
          ),
          currentVersion: 5,
        });
        const res = await request(server())
          .post('/v1/standoffs/ukraine-2022/events')
          .set('If-Match', '"4"')
          .send({ type: 'statement.made' });
        expectProblem(res, 412);
        expect(res.headers.etag).toBe('"5"');
        expect(res.body.type).toMatch(/version-mismatch$/);
      });

      it('answers a 422 rejection with its problem, errors included', async () => {
        const rejection = problem('rule-broken', 'Rule Broken', 422, 'No such demand.', [
          { path: '/data/demandId', message: 'names no tabled demand' },
        ]);
        h.commandBus.execute.mockResolvedValue({ outcome: 'rejected', problem: rejection });
        const res = await request(server()).post('/v1/standoffs/ukraine-2022/events').send({ type: 'x' });
        expectProblem(res, 422);
        expect(res.body).toEqual(rejection);
        expect(res.headers.etag).toBeUndefined();
      });

      it('answers a pending decision with 202, Location and Retry-After', async () => {
        h.commandBus.execute.mockResolvedValue({ outcome: 'pending', eventIds: [EVENT_ID] });
        const res = await request(server()).post('/v1/standoffs/ukraine-2022/events').send({ type: 'x' });
        expect(res.status).toBe(202);
        expect(res.body).toEqual({ eventId: EVENT_ID, status: 'pending' });
        expect(res.headers.location).toBe(`/v1/standoffs/ukraine-2022/events/${EVENT_ID}`);
        expect(res.headers['retry-after']).toBe('1');
      });

      it.each([
        ['"5"', 5],
        ['5', 5],
        ['"0"', 0],
      ])('reads If-Match %s as version %d', async (header, version) => {
        h.commandBus.execute.mockResolvedValue(accepted([storedEvent], version + 1));
        const res = await request(server())
          .post('/v1/standoffs/ukraine-2022/events')
          .set('If-Match', header)
          .send({ type: 'x' });
        expect(res.status).toBe(201);
        expect(h.commandBus.execute.mock.calls[0][0].expectedVersion).toBe(version);
      });

      it.each(['W/"5"', '*', '"5", "6"', '"abc"', '"-1"', '"05"'])(
        'refuses If-Match %s with 400',
        async (header) => {
          const res = await request(server())
            .post('/v1/standoffs/ukraine-2022/events')
            .set('If-Match', header)
            .send({ type: 'x' });
          expectProblem(res, 400);
          expect(res.body.errors).toEqual([{ path: 'If-Match', message: expect.any(String) }]);
          expect(h.commandBus.execute).not.toHaveBeenCalled();
        },
      );

      it('refuses an Idempotency-Key over 200 characters', async () => {
        const res = await request(server())
          .post('/v1/standoffs/ukraine-2022/events')
          .set('Idempotency-Key', 'k'.repeat(201))
          .send({ type: 'x' });
        expectProblem(res, 400);
        expect(res.body.errors[0].path).toBe('Idempotency-Key');
      });

      it.each(['Ukraine-2022', '-leading-hyphen', 'a'.repeat(65), 'under_score'])(
        'refuses the standoff id %s with 400 naming the path parameter',
        async (id) => {
          const res = await request(server()).post(`/v1/standoffs/${id}/events`).send({ type: 'x' });
          expectProblem(res, 400);
          expect(res.body.errors).toEqual([{ path: 'standoffId', message: expect.any(String) }]);
        },
      );
    });

    describe('reading', () => {
      it('lists the standoffs', async () => {
        h.queryBus.execute.mockResolvedValue([summary]);
        const res = await request(server()).get('/v1/standoffs');
        expect(res.status).toBe(200);
        expect(res.body).toEqual([summary]);
        expect(res.headers.etag).toBeUndefined();
        expect(h.queryBus.execute.mock.calls[0][0]).toBeInstanceOf(ListStandoffsQuery);
      });

      it('answers one standoff with its version as ETag', async () => {
        h.queryBus.execute.mockResolvedValue(summary);
        const res = await request(server()).get('/v1/standoffs/ukraine-2022');
        expect(res.status).toBe(200);
        expect(res.body).toEqual(summary);
        expect(res.headers.etag).toBe('"7"');
        expect(h.queryBus.execute.mock.calls[0][0]).toEqual(new GetStandoffQuery('ukraine-2022'));
      });

      it('answers an unknown standoff with a 404 problem', async () => {
        h.queryBus.execute.mockResolvedValue(undefined);
        expectProblem(await request(server()).get('/v1/standoffs/nowhere'), 404);
      });

      it('answers one event, and 404 while it is undecided', async () => {
        h.queryBus.execute.mockResolvedValueOnce({ ...storedEvent, status: 'accepted' });
        const found = await request(server()).get(`/v1/standoffs/ukraine-2022/events/${EVENT_ID}`);
        expect(found.status).toBe(200);
        expect(found.body.status).toBe('accepted');
        expect(h.queryBus.execute.mock.calls[0][0]).toEqual(new GetEventQuery('ukraine-2022', EVENT_ID));

        h.queryBus.execute.mockResolvedValueOnce(undefined);
        expectProblem(await request(server()).get(`/v1/standoffs/ukraine-2022/events/${SECOND_ID}`), 404);
      });

      it('refuses an event id that is not a UUID with 400 naming it', async () => {
        const res = await request(server()).get('/v1/standoffs/ukraine-2022/events/not-a-uuid');
        expectProblem(res, 400);
        expect(res.body.errors).toEqual([{ path: 'eventId', message: expect.any(String) }]);
      });
    });

    describe('errors', () => {
      it('answers an unknown route with a 404 problem', async () => {
        expectProblem(await request(server()).get('/v1/nothing-here'), 404);
        expectProblem(await request(server()).delete('/v1/standoffs/ukraine-2022'), 404);
      });

      it('answers an unexpected error with a generic 500 that leaks nothing', async () => {
        const res = await request(server()).get('/v1/boom');
        expectProblem(res, 500);
        expect(JSON.stringify(res.body)).not.toMatch(/secret|at .*\.ts/);
      });

      it('answers a failing command bus with a generic 500', async () => {
        h.commandBus.execute.mockRejectedValue(new Error('kafka password is hunter2'));
        const res = await request(server()).post('/v1/standoffs/ukraine-2022/events').send({ type: 'x' });
        expectProblem(res, 500);
        expect(res.text).not.toMatch(/hunter2/);
      });

      it('serves everyone when no API keys are configured', async () => {
        h.commandBus.execute.mockResolvedValue(accepted([storedEvent], 1));
        expect((await request(server()).post('/v1/standoffs/ukraine-2022/events').send({})).status).toBe(201);
        expect((await request(server()).get('/v1/admin/stats')).status).toBe(200);
      });
    });
  });

  describe('with API keys', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startApp([
        { role: 'reader', key: 'read-key' },
        { role: 'writer', key: 'write-key' },
        { role: 'admin', key: 'admin-key' },
      ]);
      h.queryBus.execute.mockResolvedValue([summary]);
      h.commandBus.execute.mockResolvedValue(accepted([storedEvent], 1));
    });
    afterAll(async () => {
      await h.app.close();
    });
    const server = () => h.app.getHttpServer();
    const bearer = (key: string) => `Bearer ${key}`;

    it('answers a request without a key with 401 and WWW-Authenticate', async () => {
      const res = await request(server()).get('/v1/standoffs');
      expectProblem(res, 401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
    });

    it('answers an unknown key with 401', async () => {
      const res = await request(server()).get('/v1/standoffs').set('Authorization', bearer('guess'));
      expectProblem(res, 401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    });

    it('answers a non-Bearer Authorization with 401', async () => {
      const res = await request(server()).get('/v1/standoffs').set('Authorization', 'Basic cmVhZC1rZXk6');
      expectProblem(res, 401);
    });

    it.each(['read-key', 'write-key', 'admin-key'])('lets %s read', async (key) => {
      const res = await request(server()).get('/v1/standoffs').set('Authorization', bearer(key));
      expect(res.status).toBe(200);
    });

    it('answers a write with a reader key with 403', async () => {
      const res = await request(server())
        .post('/v1/standoffs/ukraine-2022/events')
        .set('Authorization', bearer('read-key'))
        .send({ type: 'x' });
      expectProblem(res, 403);
    });

    it.each(['write-key', 'admin-key'])('lets %s write', async (key) => {
      const res = await request(server())
        .post('/v1/standoffs/ukraine-2022/events')
        .set('Authorization', bearer(key))
        .send({ type: 'x' });
      expect(res.status).toBe(201);
    });

    it('keeps @AdminOnly routes for admin keys', async () => {
      const asWriter = await request(server())
        .get('/v1/admin/stats')
        .set('Authorization', bearer('write-key'));
      expectProblem(asWriter, 403);
      const asAdmin = await request(server())
        .get('/v1/admin/stats')
        .set('Authorization', bearer('admin-key'));
      expect(asAdmin.status).toBe(200);
    });

    it('serves @Public routes without a key', async () => {
      expect((await request(server()).get('/health/live')).status).toBe(200);
    });
  });
});
