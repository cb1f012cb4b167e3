import { CanActivate, ExecutionContext, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Role } from '@app/platform/config';
import { ApiKeyRing, forbidden } from './api-key-ring';

export const IS_PUBLIC = 'standoff-timeline:public';
export const IS_ADMIN_ONLY = 'standoff-timeline:admin-only';

/** Served without a key even when API keys are on: health, metrics, docs. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/** Needs the `admin` role whatever the method. */
export const AdminOnly = (): MethodDecorator & ClassDecorator => SetMetadata(IS_ADMIN_ONLY, true);

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Attached to the request once a key is accepted, for logs and handlers that care who asked. */
export interface Authenticated {
  readonly roles: ReadonlySet<Role>;
}

/**
 * `Authorization: Bearer KEY` when `API_KEYS` is set (DESIGN.md §4): reads need any role, writes `writer` or
 * `admin`, `@AdminOnly()` routes `admin`; `@Public()` routes and a configuration without keys serve everyone.
 * Built by `configureHttp` and installed as a global guard (not a DI provider: it takes the keys directly).
 */
export class ApiKeysGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly ring: ApiKeyRing,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.ring.enabled || context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<Request & { auth?: Authenticated }>();
    const roles = req.auth?.roles ?? this.ring.rolesOf(req.headers.authorization);
    const needed: readonly Role[] = this.reflector.getAllAndOverride<boolean>(IS_ADMIN_ONLY, targets)
      ? ['admin']
      : READ_METHODS.has(req.method)
        ? ['reader', 'writer', 'admin']
        : ['writer', 'admin'];
    if (!needed.some((role) => roles.has(role))) throw forbidden(needed, roles);
    req.auth = { roles };
    return true;
  }
}
