import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerStorageService, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { Request } from 'express';
import { createHash } from 'node:crypto';
import type { Authenticated } from './api-keys.guard';
import { ProblemError } from './problem';
import { rateLimited } from './problems';

const MINUTE_MS = 60_000;

/**
 * `RATE_LIMIT` requests per minute per API key, or per client address when keys are off (@nestjs/throttler,
 * its in-memory store: one process, one budget). Runs after the key guard, so that only a known key gets a
 * budget of its own (random keys get their 401 first). Health probes are never limited. Over the limit: 429
 * problem+json with `Retry-After`.
 */
export class RateLimitGuard extends ThrottlerGuard {
  static create(reflector: Reflector, perMinute: number): RateLimitGuard {
    const guard = new RateLimitGuard(
      { throttlers: [{ name: 'default', ttl: MINUTE_MS, limit: perMinute }] },
      new ThrottlerStorageService(),
      reflector,
    );
    // Sets up the throttlers synchronously; Nest would call it on a guard it had made itself.
    void guard.onModuleInit();
    return guard;
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    return context.switchToHttp().getRequest<Request>().path.startsWith('/health/');
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const request = req as unknown as Request & { auth?: Authenticated };
    const authorization = request.headers.authorization;
    if (request.auth && authorization) {
      return `key:${createHash('sha256').update(authorization).digest('base64url').slice(0, 22)}`;
    }
    return `address:${request.ip ?? request.socket.remoteAddress ?? 'unknown'}`;
  }

  protected override async throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const retryAfter = Math.max(
      1,
      Math.ceil(detail.isBlocked ? detail.timeToBlockExpire : detail.timeToExpire),
    );
    const who = detail.tracker.startsWith('key:') ? 'this API key' : 'this client address';
    throw new ProblemError(
      rateLimited(`More than ${detail.limit} requests a minute from ${who}; retry after ${retryAfter} s.`),
      { 'Retry-After': String(retryAfter) },
    );
  }
}
