import { UnrecoverableError, type Job } from 'bullmq';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config';
import { DecryptionError, type Keyring } from '../crypto/envelope';
import type { Logger } from '../infra/logger';
import type { Metrics } from '../infra/metrics';
import { getProvider } from '../providers/registry';
import type { Credential, ProviderEndpoints } from '../providers/types';
import { validateCredential } from '../providers/validate';
import { redactCredential } from '../providers/credential-redaction';
import { ByokKeyEntity } from '../modules/byok-keys/byok-key.entity';
import { KeyStatus } from '../modules/byok-keys/key-status';
import { openCredential } from '../modules/byok-keys/key-secrets';
import type { KeyStatusService } from '../modules/validation/key-status.service';
import { ValidationJobEntity } from '../modules/validation/validation-job.entity';
import { ValidationOutcome } from '../modules/validation/validation-outcome';
import type { ProviderRateLimiter } from './provider-rate-limit';
import type { ValidationJobData } from './queues';

const OUTCOME_OF: Record<Exclude<KeyStatus, KeyStatus.PENDING>, ValidationOutcome> = {
  [KeyStatus.VALID]: ValidationOutcome.VALID,
  [KeyStatus.INVALID]: ValidationOutcome.INVALID,
  [KeyStatus.UNREACHABLE]: ValidationOutcome.UNREACHABLE,
};

/** Thrown to make BullMQ retry with backoff; carries nothing secret. */
class RetryableValidationError extends Error {
  override name = 'RetryableValidationError';
}

/**
 * Runs one validation attempt: the provider's cheapest authenticated call, then the verdict
 * applied to the key (only if its secret did not change meanwhile) and to the job's audit row.
 */
export class ValidationProcessor {
  constructor(
    private readonly deps: {
      db: DataSource;
      keyring: Keyring;
      keyStatus: KeyStatusService;
      endpoints: (provider: ByokKeyEntity['provider']) => ProviderEndpoints;
      extraHeaders: (provider: ByokKeyEntity['provider']) => Record<string, string> | undefined;
      limiter: ProviderRateLimiter;
      config: AppConfig;
      metrics: Metrics;
      logger: Logger;
    },
  ) {}

  async process(job: Job<ValidationJobData>, token?: string): Promise<ValidationOutcome> {
    const { db, keyring, config, metrics, logger } = this.deps;
    const jobId = job.id!;
    const { keyId, secretVersion } = job.data;
    const rows = db.getRepository(ValidationJobEntity);
    // Before any database read: a job over its provider's limit costs one Redis call.
    await this.deps.limiter.acquire(job, job.data.provider, token);
    const key = await db.getRepository(ByokKeyEntity).findOneBy({ id: keyId });
    if (!key || key.secretVersion !== secretVersion) {
      await this.finish(jobId, ValidationOutcome.DISCARDED, null, key ? 'the key was replaced before validation' : 'the key was deleted');
      return ValidationOutcome.DISCARDED;
    }
    if (job.data.trigger === 'reconcile' && key.status !== KeyStatus.PENDING) {
      // The reconciler read the key as PENDING, but its own job concluded before this one was
      // queued (the deduplication window had closed): validating it again would cost a call.
      await this.finish(jobId, ValidationOutcome.DISCARDED, null, 'the key was validated before the reconciler’s job ran');
      return ValidationOutcome.DISCARDED;
    }

    const started = Date.now();
    await rows
      .createQueryBuilder()
      .update()
      .set({ outcome: ValidationOutcome.RUNNING, attempts: () => 'attempts + 1', startedAt: () => 'COALESCE(started_at, now())' })
      .where('id = :id', { id: jobId })
      .execute();

    const provider = getProvider(key.provider);
    let credential: Credential | undefined;
    try {
      credential = openCredential(keyring, key);
    } catch (err) {
      if (!(err instanceof DecryptionError)) throw err;
      return this.undecryptable(jobId, key, err);
    }
    const signal = AbortSignal.timeout(config.validation.timeoutMs);
    const { verdict, httpStatus } = await validateCredential(provider, this.deps.endpoints(key.provider), credential, {
      signal,
      timeoutMs: config.validation.timeoutMs,
      extraHeaders: this.deps.extraHeaders(key.provider),
    });
    const error = verdict.outcome === 'VALID' ? null : redactCredential(verdict.error, credential).slice(0, 500);
    credential = undefined; // the decrypted secret lives only for the call
    metrics.validationDuration.observe({ provider: key.provider }, (Date.now() - started) / 1000);

    if (verdict.outcome === 'RETRY') {
      const attempts = job.opts.attempts ?? 1;
      if (job.attemptsMade + 1 < attempts) {
        metrics.validations.inc({ provider: key.provider, outcome: 'RETRYING' });
        await rows.update({ id: jobId }, { outcome: ValidationOutcome.RETRYING, httpStatus: httpStatus ?? null, error });
        throw new RetryableValidationError(error ?? 'retry');
      }
      return this.conclude(jobId, key, KeyStatus.UNREACHABLE, httpStatus, `${error} (after ${attempts} attempts)`);
    }
    const outcome = await this.conclude(
      jobId,
      key,
      verdict.outcome === 'VALID' ? KeyStatus.VALID : KeyStatus.INVALID,
      httpStatus,
      error,
    );
    logger.info({ jobId, keyId, provider: key.provider, outcome, httpStatus }, 'validation finished');
    if (outcome === ValidationOutcome.INVALID) throw new UnrecoverableError(`${provider.name} rejected the key`);
    return outcome;
  }

  /**
   * The stored secret cannot be opened (its master key was removed from ENCRYPTION_KEYS, or the
   * row was tampered with). Retrying cannot help and the job must not stay RUNNING: the job ends
   * INVALID, and the key says why and what to do, so its owner re-enters the secret.
   */
  private async undecryptable(jobId: string, key: ByokKeyEntity, err: DecryptionError): Promise<never> {
    const error =
      err.reason === 'unknown_master_key'
        ? `the stored secret cannot be decrypted: its master key ${err.masterKeyId} is not configured; update the key with its secret again`
        : 'the stored secret cannot be decrypted (it fails authentication); update the key with its secret again';
    this.deps.logger.error({ jobId, keyId: key.id, masterKeyId: err.masterKeyId, reason: err.reason }, 'validation: stored secret cannot be decrypted');
    await this.conclude(jobId, key, KeyStatus.INVALID, undefined, error);
    throw new UnrecoverableError(error);
  }

  private async conclude(
    jobId: string,
    key: ByokKeyEntity,
    status: Exclude<KeyStatus, KeyStatus.PENDING>,
    httpStatus: number | undefined,
    error: string | null,
  ): Promise<ValidationOutcome> {
    const applied = await this.deps.keyStatus.apply(key.id, key.secretVersion, status, error, 'validation');
    const outcome = applied ? OUTCOME_OF[status] : ValidationOutcome.DISCARDED;
    this.deps.metrics.validations.inc({ provider: key.provider, outcome });
    await this.finish(jobId, outcome, httpStatus ?? null, applied ? error : 'the key was replaced while validating');
    return outcome;
  }

  private async finish(jobId: string, outcome: ValidationOutcome, httpStatus: number | null, error: string | null): Promise<void> {
    await this.deps.db
      .getRepository(ValidationJobEntity)
      .createQueryBuilder()
      .update()
      .set({
        outcome,
        httpStatus,
        error,
        finishedAt: () => 'now()',
        durationMs: () => "(EXTRACT(EPOCH FROM (now() - COALESCE(started_at, queued_at))) * 1000)::int",
      })
      .where('id = :id', { id: jobId })
      .execute();
  }
}
