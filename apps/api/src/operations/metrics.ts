import { Injectable, Logger } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { FinishedRequest } from '../http/request-log';
import { LogProbe } from './log-probe';
import { messageOf } from '@app/domain/error-message';

/** How an append ended: the decision, still pending after the wait, or the log unavailable. */
export type AppendOutcome = 'accepted' | 'rejected' | 'pending' | 'unavailable';

const APPEND_OUTCOMES: readonly AppendOutcome[] = ['accepted', 'rejected', 'pending', 'unavailable'];

/** Seconds: from 1 ms to 10 s, dense around the targets of DESIGN.md §6 (p50 ≤ 15 ms, p99 ≤ 50 ms). */
const DECISION_LATENCY_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Seconds: from 1 ms to 10 s. */
const HTTP_DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The API's Prometheus metrics, in a registry of their own (several apps may share a process in tests):
 * appends by outcome, decision latency, projection lag per partition (computed on scrape), and the process
 * defaults.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  private readonly logger = new Logger(Metrics.name);
  private readonly appends: Counter<'outcome'>;
  private readonly latency: Histogram;
  private readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;

  constructor(probe: LogProbe) {
    collectDefaultMetrics({ register: this.registry });
    this.appends = new Counter({
      name: 'standoff_appends_total',
      help: 'Appends (single events and batches) by outcome',
      labelNames: ['outcome'],
      registers: [this.registry],
    });
    for (const outcome of APPEND_OUTCOMES) this.appends.inc({ outcome }, 0);
    this.latency = new Histogram({
      name: 'standoff_decision_latency_seconds',
      help: 'Time from receiving an append to knowing its decision',
      buckets: DECISION_LATENCY_BUCKETS,
      registers: [this.registry],
    });
    this.httpRequests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: HTTP_DURATION_BUCKETS,
      registers: [this.registry],
    });
    const logger = this.logger;
    new Gauge({
      name: 'standoff_projection_last_progress_timestamp_seconds',
      help: 'When the projection of the partition last moved its offset (Unix time)',
      labelNames: ['partition'],
      registers: [this.registry],
      async collect() {
        this.reset();
        try {
          for (const { partition, at } of await probe.lastProgress())
            this.set({ partition: String(partition) }, at);
        } catch (error) {
          logger.warn(`projection progress unknown: ${messageOf(error)}`);
        }
      },
    });
    new Gauge({
      name: 'standoff_projection_lag_records',
      help: 'Records of the log partition not yet applied to the read models',
      labelNames: ['partition'],
      registers: [this.registry],
      async collect() {
        this.reset();
        try {
          for (const { partition, lag } of await probe.projectionLag())
            this.set({ partition: String(partition) }, lag);
        } catch (error) {
          logger.warn(`projection lag unknown: ${messageOf(error)}`);
        }
      },
    });
    // Read from the table, so that every API process reports what any projector set aside.
    new Gauge({
      name: 'standoff_dead_letters',
      help: 'Log records the projector could not apply and set aside, by whether an admin replayed them',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        try {
          const { total, pending } = await probe.deadLetters();
          this.set({ state: 'pending' }, pending);
          this.set({ state: 'replayed' }, total - pending);
        } catch (error) {
          logger.warn(`dead letters unknown: ${messageOf(error)}`);
        }
      },
    });
  }

  /** Counts one append (or `count`) that ended with `outcome`. */
  appendOutcome(outcome: AppendOutcome, count = 1): void {
    this.appends.inc({ outcome }, count);
  }

  /** Records how long an append waited for its decision, in milliseconds. */
  decisionLatency(ms: number): void {
    if (Number.isFinite(ms) && ms >= 0) this.latency.observe(ms / 1000);
  }

  /** Counts one finished HTTP request and its duration. */
  httpRequest(request: FinishedRequest): void {
    const labels = { method: request.method, route: request.route, status: String(request.status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, request.seconds);
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
