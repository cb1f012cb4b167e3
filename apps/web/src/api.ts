/** Same-origin calls to the API, with the bearer key the user gave when the API asks for one. */

const KEY_STORAGE = 'standoff-timeline.api-key';

export interface Problem {
  readonly type?: string;
  readonly title?: string;
  readonly status?: number;
  readonly detail?: string;
}

/** `GET /v1/standoffs/{id}` (DESIGN.md §4). */
export interface StandoffSummary {
  readonly standoffId: string;
  readonly title: string | null;
  readonly version: number;
  readonly eventCount: number;
  readonly firstEventAt: string | null;
  readonly lastEventAt: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
  ) {
    super(problem?.detail ?? `The API answered ${status}`);
    this.name = 'ApiError';
  }
}

export const apiKey = {
  get(): string | null {
    return sessionStorage.getItem(KEY_STORAGE);
  },
  set(key: string): void {
    sessionStorage.setItem(KEY_STORAGE, key);
  },
  clear(): void {
    sessionStorage.removeItem(KEY_STORAGE);
  },
};

export type Params = Readonly<Record<string, string | readonly string[] | undefined>>;

export function withParams(path: string, params: Params = {}): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const one of typeof value === 'string' ? [value] : value) search.append(name, one);
  }
  const query = search.toString();
  return query === '' ? path : `${path}?${query}`;
}

export async function getJson<T>(path: string, params: Params = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const key = apiKey.get();
  if (key !== null) headers.Authorization = `Bearer ${key}`;
  const response = await fetch(withParams(path, params), { headers });
  if (!response.ok) {
    let problem: Problem | undefined;
    try {
      problem = (await response.json()) as Problem;
    } catch {
      problem = undefined;
    }
    throw new ApiError(response.status, problem);
  }
  return (await response.json()) as T;
}

export function standoffPath(standoffId: string, rest = ''): string {
  return `/v1/standoffs/${encodeURIComponent(standoffId)}${rest}`;
}
