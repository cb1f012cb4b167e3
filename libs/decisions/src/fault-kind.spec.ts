import { isDatabaseUnavailable, isTransientDatabaseFault } from './fault-kind';

/** A pg error as TypeORM wraps it: the SQLSTATE on the error and on its driverError. */
function queryFailed(code: string, message = 'failed'): Error {
  return Object.assign(new Error(message), {
    code,
    driverError: Object.assign(new Error(message), { code }),
  });
}

describe('isTransientDatabaseFault', () => {
  it.each([
    ['a lost connection', queryFailed('08006')],
    ['a serialization failure', queryFailed('40001')],
    ['a deadlock', queryFailed('40P01')],
    ['an admin shutdown', queryFailed('57P01')],
    ['too many connections', queryFailed('53300')],
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ],
    ['a terminated connection', new Error('Connection terminated unexpectedly')],
  ])('retries %s', (_name, error) => {
    expect(isTransientDatabaseFault(error)).toBe(true);
  });

  it.each([
    ['invalid text for a uuid', queryFailed('22P02', 'invalid input syntax for type uuid')],
    ['an unstorable byte sequence', queryFailed('22021')],
    ['a unique violation', queryFailed('23505')],
    ['a raised exception', queryFailed('P0001')],
    ['a statement timeout (the same record times out again)', queryFailed('57014')],
    ['an internal error', queryFailed('XX000')],
    ['a bug in the code', new TypeError("Cannot read properties of undefined (reading 'ms')")],
  ])('does not retry %s: the record is judged alone', (_name, error) => {
    expect(isTransientDatabaseFault(error)).toBe(false);
  });
});

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a lost connection', queryFailed('08006')],
    ['an admin shutdown', queryFailed('57P01')],
    ['a server starting up', queryFailed('57P03')],
    ['too many connections', queryFailed('53300')],
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ],
    ['a terminated connection', new Error('Connection terminated unexpectedly')],
    ['a pool that cannot connect', new Error('timeout exceeded when trying to connect')],
  ])('says the database is unavailable on %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a deadlock', queryFailed('40P01')],
    ['a unique violation', queryFailed('23505')],
    ['invalid text for a uuid', queryFailed('22P02', 'invalid input syntax for type uuid')],
    ['a bug in the code', new TypeError("Cannot read properties of undefined (reading 'ms')")],
  ])('does not call %s an outage', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
