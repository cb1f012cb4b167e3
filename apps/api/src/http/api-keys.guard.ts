import { CanActivate, ExecutionContext, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKey, Role } from '@app/platform/config';
import { problem, ProblemError } from './problem';

export const IS_PUBLIC = 'standoff-timeline:public';
export const IS_ADMIN_ONLY = 'standoff-timeline:admin-only';

/** Served without a key even when API keys are on: health, metrics, docs. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/** Needs the `admin` role whatever the method. */
export const AdminOnly = (): MethodDecorator & ClassDecorator => SetMetadata(IS_ADMIN_ONLY, true);

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const BEARER = /^Bearer[ \t]+([^ \t]+)[ \t]*$/i;

/** Attached to the request once a key is accepted, for logs and handlers that care who asked. */
export interface Authenticated {
  readonly roles: ReadonlySet<Role>;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * `Authorization: Bearer KEY` when `API_KEYS` is set (DESIGN.md §4): reads need any role, writes `writer` or
 * `admin`, `@AdminOnly()` routes `admin`; `@Public()` routes and a configuration without keys serve everyone.
 * Built by `configureHttp` and installed as a global guard (not a DI provider: it takes the keys directly).
 */
export class ApiKeysGuard implements CanActivate {
  /** Compared as SHA-256 digests with timingSafeEqual, so a response time says nothing about a key. */
  private readonly keys: readonly { digest: Buffer; role: Role }[];

  constructor(
    private readonly reflector: Reflector,
    apiKeys: readonly ApiKey[],
  ) {
    this.keys = apiKeys.map(({ key, role }) => ({ digest: digest(key), role }));
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.keys.length === 0 || context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const req = context.switchToHttp().getRequest<Request & { auth?: Authenticated }>();
    const roles = this.rolesOf(req.headers.authorization);
    const needed: readonly Role[] = this.reflector.getAllAndOverride<boolean>(IS_ADMIN_ONLY, targets)
      ? ['admin']
      : READ_METHODS.has(req.method)
        ? ['reader', 'writer', 'admin']
        : ['writer', 'admin'];
    if (!needed.some((role) => roles.has(role))) {
      throw new ProblemError(
        problem(
          'forbidden',
          'Forbidden',
          403,
          `This request needs the ${needed.join(' or ')} role; the key has ${[...roles].join(', ')}.`,
        ),
      );
    }
    req.auth = { roles };
    return true;
  }

  private rolesOf(authorization: string | undefined): Set<Role> {
    if (authorization === undefined || authorization.trim() === '') {
      throw new ProblemError(
        problem(
          'unauthorized',
          'Unauthorized',
          401,
          'This API needs a key: send Authorization: Bearer <key>.',
        ),
        { 'WWW-Authenticate': 'Bearer' },
      );
    }
    const match = BEARER.exec(authorization);
    if (!match) {
      throw new ProblemError(
        problem(
          'unauthorized',
          'Unauthorized',
          401,
          'The Authorization header must be of the form Bearer <key>.',
        ),
        { 'WWW-Authenticate': 'Bearer error="invalid_request"' },
      );
    }
    const presented = digest(match[1]);
    const roles = new Set<Role>();
    // Every key is compared, matched or not, to keep the time independent of which one matched.
    for (const key of this.keys) if (timingSafeEqual(presented, key.digest)) roles.add(key.role);
    if (roles.size === 0) {
      throw new ProblemError(problem('unauthorized', 'Unauthorized', 401, 'The API key is not known.'), {
        'WWW-Authenticate': 'Bearer error="invalid_token"',
      });
    }
    return roles;
  }
}
