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

export function problem(
  slug: string,
  title: string,
  status: number,
  detail: string,
  errors?: readonly ProblemFieldError[],
): Problem {
  return { type: `${TYPE_BASE}${slug}`, title, status, detail, ...(errors ? { errors } : {}) };
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
