import type { Rejection } from '@app/domain/decide';
import { rejectionProblem } from './problems';

const rejection = (slug: Rejection['slug']): Rejection => ({
  slug,
  title: 'T',
  detail: 'd',
  errors: [{ path: '/x', message: 'm' }],
});

describe('the error catalogue', () => {
  it.each([
    ['version-mismatch', 412],
    ['event-id-taken', 409],
    ['entity-exists', 409],
    ['unknown-reference', 422],
    ['idempotency-key-reused', 422],
  ] as const)('answers a %s rejection with %i', (slug, status) => {
    expect(rejectionProblem(rejection(slug))).toEqual({
      type: `https://standoff-timeline.dev/problems/${slug}`,
      title: 'T',
      status,
      detail: 'd',
      errors: [{ path: '/x', message: 'm' }],
    });
  });

  it('takes the status from the code, not from what a stored rejection of an earlier version carried', () => {
    const stored = { ...rejection('entity-exists'), status: 422 } as Rejection;
    expect(rejectionProblem(stored).status).toBe(409);
  });
});
