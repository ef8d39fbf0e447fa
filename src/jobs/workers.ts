import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AppConfig } from '../config/config';
import type { Logger } from '../infra/logger';
import type { Metrics } from '../infra/metrics';
import { workerConnection } from './worker-connection';
import { providerEndpoints, providerHeaders } from '../modules/providers/endpoints';
import type { Services } from '../composition/services';
import { reconcilePending, revalidateStale } from './maintenance';
import { sweepInflight } from './inflight-sweeper';
import { ProviderRateLimiter } from './provider-rate-limit';
import type { UsageRecordInput } from '../modules/usage/usage-record';
import { MAINTENANCE_QUEUE, USAGE_QUEUE, VALIDATION_QUEUE, type MaintenanceJobName, type ValidationJobData } from './queues';
import { ValidationProcessor } from './validation-processor';

export interface Workers {
  close(): Promise<void>;
}

/**
 * The queue workers (ROLE=all|worker): key validation, and maintenance (reconcile PENDING keys,
 * revalidate stale ones) driven by BullMQ job schedulers, which run once per cluster whatever
 * the number of workers.
 */
export async function startWorkers(deps: {
  config: AppConfig;
  services: Services;
  redis: Redis;
  logger: Logger;
  metrics: Metrics;
}): Promise<Workers> {
  const { config, services, logger, metrics } = deps;
  const { connection, closing } = workerConnection(config.redisUrl);
  const processor = new ValidationProcessor({
    db: services.db,
    keyring: services.keyring,
    keyStatus: services.keyStatus,
    endpoints: (id) => providerEndpoints(config, id),
    extraHeaders: (id) => providerHeaders(config, id),
    limiter: new ProviderRateLimiter(deps.redis, config.queuePrefix, config.validation.ratePerProvider, config.validation.lockMs),
    config,
    metrics,
    logger,
  });
  const common = {
    connection,
    prefix: config.queuePrefix,
    lockDuration: config.validation.lockMs,
    stalledInterval: config.validation.stalledIntervalMs,
  };
  const validation = new Worker<ValidationJobData>(VALIDATION_QUEUE, (job, token) => processor.process(job, token), {
    ...common,
    concurrency: config.validation.concurrency,
  });
  const runMaintenance = (name: MaintenanceJobName): Promise<number> => {
    switch (name) {
      case 'reconcile':
        return reconcilePending(services.db, services.validation, logger, config.reconcileGraceMs);
      case 'revalidate':
        return revalidateStale(services.db, services.validation, logger, config.revalidateAfterMs);
      case 'sweep-inflight':
        return sweepInflight({
          redis: deps.redis,
          recorder: services.usageRecorder,
          prefix: config.queuePrefix,
          // Longer than any sweep takes, short enough that a crashed sweeper's lock goes soon.
          lockMs: Math.max(30_000, config.inflight.sweepEveryMs * 2),
          logger,
          metrics,
        });
    }
  };
  const maintenance = new Worker<unknown, number, MaintenanceJobName>(
    MAINTENANCE_QUEUE,
    (job: Job<unknown, number, MaintenanceJobName>) => runMaintenance(job.name),
    { ...common, concurrency: 1 },
  );
  const usage = new Worker<UsageRecordInput>(USAGE_QUEUE, (job) => services.usageRecorder.retry(job.data), {
    ...common,
    concurrency: 4,
    settings: { backoffStrategy: (attemptsMade: number) => Math.min(30_000, 250 * 2 ** Math.min(attemptsMade, 10)) },
  });
  for (const w of [validation, maintenance, usage]) {
    w.on('failed', (job, err) => {
      if (err.name === 'DelayedError') return;
      logger.debug({ queue: w.name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'job attempt failed');
    });
    w.on('error', (err) => logger.warn({ queue: w.name, err: err.message }, 'worker error'));
  }

  const schedulerQueue = new Queue(MAINTENANCE_QUEUE, { connection, prefix: config.queuePrefix });
  schedulerQueue.on('error', (err) => logger.warn({ err: err.message }, 'maintenance queue: redis error'));
  await schedulerQueue.upsertJobScheduler('reconcile', { every: config.reconcileEveryMs }, { name: 'reconcile' });
  const revalidateEvery = Math.min(Math.max(Math.floor(config.revalidateAfterMs / 4), 1000), 3_600_000);
  await schedulerQueue.upsertJobScheduler('revalidate', { every: revalidateEvery }, { name: 'revalidate' });
  await schedulerQueue.upsertJobScheduler('sweep-inflight', { every: config.inflight.sweepEveryMs }, { name: 'sweep-inflight' });
  logger.info({ concurrency: config.validation.concurrency }, 'validation workers started');

  return {
    close: async () => {
      // closing(): a Redis outage just before must not leave a blocking connection unable to end.
      await closing(async () => {
        await Promise.all([validation.close(), maintenance.close(), usage.close()]);
      });
      await schedulerQueue.close();
      connection.disconnect();
    },
  };
}
