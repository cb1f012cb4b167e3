import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKey, Role } from '@app/platform/config';
import { ProblemError } from './problem';
import { forbidden as forbiddenProblem, unauthorized } from './problems';

const BEARER = /^Bearer[ \t]+([^ \t]+)[ \t]*$/i;

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * The configured API keys and how a request's `Authorization` header is read against them. Shared by the
 * middleware that authenticates before a body is read and by the guard that checks each route's role.
 */
export class ApiKeyRing {
  /** Compared as SHA-256 digests with timingSafeEqual, so a response time says nothing about a key. */
  private readonly keys: readonly { digest: Buffer; role: Role }[];

  constructor(apiKeys: readonly ApiKey[]) {
    this.keys = apiKeys.map(({ key, role }) => ({ digest: digest(key), role }));
  }

  /** False when `API_KEYS` is unset: everyone is served. */
  get enabled(): boolean {
    return this.keys.length > 0;
  }

  /** The roles of the presented key; a 401 problem when there is none or it is not known. */
  rolesOf(authorization: string | undefined): Set<Role> {
    if (authorization === undefined || authorization.trim() === '') {
      throw new ProblemError(unauthorized('This API needs a key: send Authorization: Bearer <key>.'), {
        'WWW-Authenticate': 'Bearer',
      });
    }
    const match = BEARER.exec(authorization);
    if (!match) {
      throw new ProblemError(unauthorized('The Authorization header must be of the form Bearer <key>.'), {
        'WWW-Authenticate': 'Bearer error="invalid_request"',
      });
    }
    const presented = digest(match[1]);
    const roles = new Set<Role>();
    // Every key is compared, matched or not, to keep the time independent of which one matched.
    for (const key of this.keys) if (timingSafeEqual(presented, key.digest)) roles.add(key.role);
    if (roles.size === 0) {
      throw new ProblemError(unauthorized('The API key is not known.'), {
        'WWW-Authenticate': 'Bearer error="invalid_token"',
      });
    }
    return roles;
  }
}

/** The 403 for a key without any of the `needed` roles. */
export function forbidden(needed: readonly Role[], roles: ReadonlySet<Role>): ProblemError {
  return new ProblemError(
    forbiddenProblem(
      `This request needs the ${needed.join(' or ')} role; the key has ${[...roles].join(', ')}.`,
    ),
  );
}
