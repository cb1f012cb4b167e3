/** RFC 9457 problem details, the one error format of the API. */
export interface ProblemFieldError {
  readonly path: string;
  readonly message: string;
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors?: readonly ProblemFieldError[];
  readonly [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_BASE = 'https://standoff-timeline.dev/problems/';

/**
 * A problem lists at most this many field errors: a request of 500 KB could otherwise be answered with
 * megabytes of them. The rest are counted in `moreErrors` and said in `detail`.
 */
export const MAX_LISTED_ERRORS = 100;

export function problem(
  slug: string,
  title: string,
  status: number,
  detail: string,
  errors?: readonly ProblemFieldError[],
): Problem {
  const type = `${TYPE_BASE}${slug}`;
  if (!errors) return { type, title, status, detail };
  if (errors.length <= MAX_LISTED_ERRORS) return { type, title, status, detail, errors };
  const moreErrors = errors.length - MAX_LISTED_ERRORS;
  return {
    type,
    title,
    status,
    detail: `${detail} (the first ${MAX_LISTED_ERRORS} are listed, ${moreErrors} more are not)`,
    errors: errors.slice(0, MAX_LISTED_ERRORS),
    moreErrors,
  };
}

/** Thrown anywhere in the API layer; the exception filter renders it. */
export class ProblemError extends Error {
  constructor(
    readonly problem: Problem,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(problem.detail);
    this.name = 'ProblemError';
  }
}
