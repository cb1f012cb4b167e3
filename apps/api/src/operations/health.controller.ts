import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { messageOf } from '@app/domain/error-message';
import { Public } from '../http/api-keys.guard';
import { ProblemError } from '../http/problem';
import { LogProbe, OPERATIONS_OPTIONS, withTimeout, type OperationsOptions } from './log-probe';
import { stallMessage } from './projection-stall';
import { notReady } from '../http/problems';
import { publisherStatus } from './publisher-probe';

/** Seconds a load balancer should wait before asking a service that is not ready again. */
export const NOT_READY_RETRY_AFTER_SECONDS = 5;

/**
 * `GET /health/live`: the process answers. `GET /health/ready`: it can serve: the database answers, the log
 * is reachable, and no partition's projection trails the log by more than the configured bound. Public.
 */
@Public()
@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly probe: LogProbe,
    @Inject(OPERATIONS_OPTIONS) private readonly options: OperationsOptions,
  ) {}

  @Get('live')
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness: the process answers' })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: database, log, and projection within its lag bound' })
  @ApiServiceUnavailableResponse({
    description: 'Not ready: a problem whose `checks` tell which check failed',
  })
  async ready(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.database(),
        () => this.log(),
        () => this.projection(),
        () => this.publisher(),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const checks = error.getResponse() as HealthCheckResult;
      const failed = Object.keys(checks.error ?? {});
      throw new ProblemError(
        {
          ...notReady(`Not ready: ${failed.join(', ') || 'a check'} failed.`),
          checks,
        },
        { 'Retry-After': String(NOT_READY_RETRY_AFTER_SECONDS) },
      );
    }
  }

  private async database(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('database');
    try {
      await withTimeout('the database', this.options.probeTimeoutMs, this.probe.checkDatabase());
      return check.up();
    } catch (error) {
      return check.down({ message: messageOf(error) });
    }
  }

  private async log(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('log');
    const kind = this.probe.kind;
    try {
      await withTimeout('the log', this.options.probeTimeoutMs, this.probe.checkLog());
      return check.up({ kind });
    } catch (error) {
      return check.down({ kind, message: messageOf(error) });
    }
  }

  /** The downstream topic's publisher (Kafka mode): down when events wait and it has stopped publishing. */
  private async publisher(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('publisher');
    try {
      const status = await withTimeout(
        'the feed publisher',
        this.options.probeTimeoutMs,
        publisherStatus(this.options.infrastructure),
      );
      if (!status) return check.up({ topic: null });
      const { problem: message, ...details } = status;
      return message === undefined ? check.up(details) : check.down({ ...details, message });
    } catch (error) {
      return check.down({ message: messageOf(error) });
    }
  }

  private async projection(): Promise<HealthIndicatorResult> {
    const check = this.indicators.check('projection');
    const maxLag = this.options.maxProjectionLag;
    try {
      const binding = await withTimeout(
        'the log binding',
        this.options.probeTimeoutMs,
        this.probe.logBinding(),
      );
      if (!binding.ok) return check.down({ maxLag, log: binding.logId, message: binding.problem });
      const [ownership, partitions] = await withTimeout(
        'the projection lag',
        this.options.probeTimeoutMs,
        Promise.all([this.probe.projectionOwnership(), this.probe.projectionLag()]),
      );
      const lag = Math.max(0, ...partitions.map((p) => p.lag));
      const details = { lag, maxLag, partitions, ...ownership.details };
      const failure = !ownership.owned
        ? ownership.message
        : lag > maxLag
          ? `the projection trails the log by ${lag} records`
          : stallMessage(partitions);
      return failure ? check.down({ ...details, message: failure }) : check.up(details);
    } catch (error) {
      return check.down({ maxLag, message: messageOf(error) });
    }
  }
}
