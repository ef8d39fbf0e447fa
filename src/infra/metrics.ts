import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics, one registry per app instance (tests run several in one process).
 * Labels never carry a user, token, key or secret: only operation names, providers, outcomes.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly graphqlOperations = new Counter({
    name: 'graphql_operations_total',
    help: 'GraphQL operations by name, type and outcome',
    labelNames: ['operation', 'type', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly graphqlDuration = new Histogram({
    name: 'graphql_operation_duration_seconds',
    help: 'GraphQL operation duration by name and type',
    labelNames: ['operation', 'type'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly validations = new Counter({
    name: 'byok_validations_total',
    help: 'Key validation attempts by provider and outcome',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly validationDuration = new Histogram({
    name: 'byok_validation_duration_seconds',
    help: 'Key validation job duration by provider',
    labelNames: ['provider'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  private readonly depthReaders = new Map<string, () => Promise<number>>();

  readonly queueDepth = new Gauge({
    name: 'byok_queue_depth',
    help: 'Jobs waiting, delayed or active per queue (read at scrape time)',
    labelNames: ['queue'] as const,
    registers: [this.registry],
    collect: async () => {
      for (const [queue, read] of this.depthReaders) {
        const n = await read().catch(() => undefined);
        if (n !== undefined) this.queueDepth.set({ queue }, n);
      }
    },
  });

  /** Registers how to read a queue's depth when Prometheus scrapes. */
  watchQueue(queue: string, read: () => Promise<number>): void {
    this.depthReaders.set(queue, read);
  }

  readonly usageRecords = new Counter({
    name: 'byok_usage_records_total',
    help: 'Usage records by outcome: written, retried (queued for retry), dead_lettered (refused by the database, kept in usage_dead_letters), failed, swept (written for a process that died)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly completions = new Counter({
    name: 'byok_completions_total',
    help: 'Routed chat completions by provider, key source and status',
    labelNames: ['provider', 'key_source', 'status'] as const,
    registers: [this.registry],
  });

  readonly activeStreams = new Gauge({
    name: 'byok_active_streams',
    help: 'Chat completion streams in flight',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  private readonly operationNames = new Set<string>();

  /**
   * The `operation` label of an operation that validated against the schema (callers put every
   * other one in UNVALIDATED_OPERATION). Names are chosen by clients, so only the first
   * MAX_OPERATION_LABELS distinct ones become labels; later newcomers share OTHER_OPERATIONS.
   */
  operationLabel(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) return 'invalid';
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= MAX_OPERATION_LABELS) return OTHER_OPERATIONS;
    this.operationNames.add(name);
    return name;
  }
}

/** The one `operation` label of every operation that did not parse or validate. */
export const UNVALIDATED_OPERATION = 'unvalidated';
/** The label of validated operations named after the first MAX_OPERATION_LABELS names. */
export const OTHER_OPERATIONS = 'other';
const MAX_OPERATION_LABELS = 500;
