import type { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/config';
import type { Keyring } from '../../crypto/envelope';
import { AppError } from '../../errors/app-error';
import type { Logger } from '../../infra/logger';
import { adapterFor } from '../../providers/dialects';
import { UpstreamError, type Credential, type UpstreamEvent } from '../../providers/types';
import { parseCredential } from '../byok-keys/credential-input';
import { KeyStatus } from '../byok-keys/key-status';
import { openCredential } from '../byok-keys/key-secrets';
import { providerEndpoints, providerHeaders } from '../providers/endpoints';
import type { Candidate, RoutePlan } from '../routing/route';
import type { KeyStatusService } from '../validation/key-status.service';
import type { ValidationService } from '../validation/validation.service';
import type { ChatParams } from './chat-request';
import { DeadlineError, deadlineOr } from './timeouts';

const TOUCH_EVERY_MS = 60_000;

/** The caller's gate refused the stream before anything was sent (UpstreamOpener.open). */
export class GateRefusal extends Error {
  constructor(readonly error: AppError) {
    super(error.message);
    this.name = 'GateRefusal';
  }
}

export interface OpenedStream {
  candidate: Candidate;
  /** Aborts this upstream call (the client's signal is linked to it; deadlines use it too). */
  controller: AbortController;
  events: AsyncIterable<UpstreamEvent>;
}

/** The request's translatable part, without the gateway's own bookkeeping. */
function upstreamParams(params: ChatParams): Omit<ChatParams, 'promptChars'> {
  const { promptChars: _unused, ...rest } = params;
  return rest;
}

/**
 * Opens the first candidate that answers 2xx. Before the first byte, a connection error, a
 * timeout, 5xx or 429 moves on to the owner's next candidate; 401/403 fails with
 * BYOK_KEY_INVALID, marks the key INVALID at once and queues a `rejected-in-use` validation.
 * The secret is decrypted only here, for the call, and dropped with the request object.
 */
export class UpstreamOpener {
  constructor(
    private readonly deps: {
      config: AppConfig;
      db: DataSource;
      keyring: Keyring;
      keyStatus: KeyStatusService;
      validation: ValidationService;
      logger: Logger;
    },
  ) {}

  /**
   * `gate`, when given, resolves once the caller may send (to an error that refuses the stream):
   * the first candidate's request is built meanwhile and sent, and `onTry` called, only after it.
   * A refusal rejects with {@link GateRefusal}: nothing was sent, nothing tried.
   */
  async open(
    plan: RoutePlan,
    params: ChatParams,
    signal: AbortSignal,
    onTry: (c: Candidate) => void,
    gate?: Promise<AppError | undefined>,
  ): Promise<OpenedStream> {
    let lastError: AppError | undefined;
    for (const candidate of plan.candidates) {
      const controller = new AbortController();
      const onAbort = () => controller.abort(signal.reason);
      if (signal.aborted) onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      const ms = this.deps.config.upstream.connectTimeoutMs;
      let timer: NodeJS.Timeout | undefined;
      /** This candidate is over (failed, or serving): a gate that opens late must not try it. */
      let over = false;
      // The connect deadline is the upstream's: it starts when the request may be sent.
      const trying = () => {
        onTry(candidate);
        timer = setTimeout(() => controller.abort(new DeadlineError(`${candidate.provider.name} did not answer within ${ms} ms`)), ms);
      };
      const ready = gate?.then((refusal) => {
        if (refusal) throw new GateRefusal(refusal);
        if (!over) trying();
      });
      // Awaited by the adapter; this only keeps a refusal that lands after a failure to build
      // the request (nothing awaits it then) from being an unhandled rejection.
      ready?.catch(() => undefined);
      if (!ready) trying();
      let serving = false;
      try {
        const stream = await adapterFor(candidate.provider.dialect).open({
          provider: candidate.provider,
          endpoints: providerEndpoints(this.deps.config, candidate.provider.id),
          credential: this.credential(candidate),
          upstreamModel: candidate.upstreamModel,
          ...upstreamParams(params),
          extraHeaders: providerHeaders(this.deps.config, candidate.provider.id),
          signal: controller.signal,
          ...(ready ? { ready } : {}),
        });
        if (candidate.key) this.touch(candidate);
        serving = true;
        return { candidate, controller, events: stream.events };
      } catch (err) {
        if (signal.aborted || err instanceof GateRefusal) throw err;
        const failure = deadlineOr(controller, err);
        if (failure instanceof AppError) {
          lastError = failure; // a deadline: like a connection error, try the next candidate
          continue;
        }
        if (!(failure instanceof UpstreamError)) throw failure;
        if (failure.info.code === 'BYOK_KEY_INVALID') throw await this.rejected(candidate, failure);
        // The provider's status lets a front door answer in kind (Anthropic's 529 overloaded_error).
        lastError = new AppError(failure.info.code, failure.info.message, { provider: candidate.provider.id, upstreamStatus: failure.status });
        if (!failure.info.retryable) throw lastError;
        this.deps.logger.info({ provider: candidate.provider.id, status: failure.status }, 'upstream failed before the first byte; trying the next key');
      } finally {
        over = true;
        clearTimeout(timer);
        // The candidate that serves keeps the link for the stream's life: the client leaving
        // aborts its call at once, even while the upstream is silent between events (the
        // listener goes with the subscription's own signal).
        if (!serving) signal.removeEventListener('abort', onAbort);
      }
    }
    throw lastError ?? new AppError('UPSTREAM_ERROR', 'No provider answered');
  }

  private credential(c: Candidate): Credential {
    if (c.key) return openCredential(this.deps.keyring, c.key);
    const platformKey = this.deps.config.providers[c.provider.id]?.platformKey;
    if (!platformKey) throw new AppError('NO_KEY_FOR_MODEL', `No platform key for ${c.provider.name}`);
    return parseCredential(c.provider, { apiKey: platformKey });
  }

  /** The provider refused the key: INVALID now, revalidate in the background, tell the caller. */
  private async rejected(c: Candidate, err: UpstreamError): Promise<AppError> {
    if (!c.key) {
      this.deps.logger.error({ provider: c.provider.id, status: err.status }, 'the platform key was rejected by the provider');
      return new AppError('UPSTREAM_ERROR', `${c.provider.name} rejected the platform's key; the operator has been told`);
    }
    const key = c.key;
    const reason = `rejected by ${c.provider.name} during a request (HTTP ${err.status})`;
    await this.deps.keyStatus
      .apply(key.id, key.secretVersion, KeyStatus.INVALID, reason, 'rejected in use')
      .catch((e: Error) => this.deps.logger.warn({ err: e.message, keyId: key.id }, 'could not mark the key INVALID'));
    this.deps.validation
      .enqueue(key, 'rejected-in-use')
      .catch((e: Error) => this.deps.logger.warn({ err: e.message, keyId: key.id }, 'could not queue a rejected-in-use validation'));
    return new AppError('BYOK_KEY_INVALID', `${c.provider.name} rejected your key ${key.hint}: ${err.info.message}`, {
      keyId: key.id,
      provider: c.provider.id,
    });
  }

  /** When this process last wrote each key's lastUsedAt. */
  private readonly touched = new Map<string, number>();

  /**
   * lastUsedAt, at most one write a minute per key and process (checked here, not in SQL, so a
   * busy key costs no query at all), never on the request's path.
   */
  private touch(c: Candidate): void {
    const now = Date.now();
    if (now - (this.touched.get(c.key!.id) ?? 0) < TOUCH_EVERY_MS) return;
    if (this.touched.size > 100_000) this.touched.clear();
    this.touched.set(c.key!.id, now);
    this.deps.db.query(
      "UPDATE byok_keys SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')",
      [c.key!.id],
    ).catch((e: Error) => this.deps.logger.warn({ err: e.message, keyId: c.key!.id }, 'could not record key use'));
  }
}
