import { LogUnavailableError } from '@app/event-log/event-log.port';
import { toProblem } from './problem.filter';

describe('outages as problems', () => {
  it('answers 503 log-unavailable with Retry-After when the log is down', () => {
    const rendered = toProblem(new LogUnavailableError('Kafka is unavailable: connect ECONNREFUSED'));
    expect(rendered?.problem).toMatchObject({
      type: expect.stringMatching(/\/log-unavailable$/),
      status: 503,
      detail: expect.stringMatching(/event log/),
    });
    expect(rendered?.headers).toEqual({ 'Retry-After': '5' });
  });

  it('answers 503 database-unavailable with Retry-After when the database cannot be reached', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const rendered = toProblem(refused);
    expect(rendered?.problem).toMatchObject({
      type: expect.stringMatching(/\/database-unavailable$/),
      status: 503,
      detail: expect.stringMatching(/database/),
    });
    expect(rendered?.headers).toEqual({ 'Retry-After': '5' });
    // The driver's message (an address) stays in the log.
    expect(JSON.stringify(rendered?.problem)).not.toMatch(/127\.0\.0\.1/);
  });

  it('leaves other failures, a deadlock included, to the 500 path', () => {
    expect(toProblem(new TypeError('x is undefined'))).toBeUndefined();
    expect(toProblem(Object.assign(new Error('deadlock detected'), { code: '40P01' }))).toBeUndefined();
  });
});
