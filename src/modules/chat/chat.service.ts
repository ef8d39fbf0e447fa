import type { UserPrincipal } from '../../auth/principal';
import { costMicroUsd } from '../../catalog/catalog';
import { AppError } from '../../errors/app-error';
import { unexpectedError } from '../../errors/unexpected-error';
import { adapterFor } from '../../providers/dialects';
import { UnsupportedFeatureError, UpstreamError } from '../../providers/types';
import type { Logger } from '../../infra/logger';
import type { Metrics } from '../../infra/metrics';
import { UsageStatus } from '../usage/usage-enums';
import type { UsageRecorder } from '../usage/usage-recorder';
import type { InflightEntry, InflightJournal } from '../usage/inflight-journal';
import type { UsageRecordInput } from '../usage/usage-record';
import type { Router } from '../routing/router';
import type { Candidate, RoutePlan } from '../routing/route';
import { ChatEventType, type ChatCompletionEventType } from './chat-event.type';
import type { ChatCompletionInput } from './chat.inputs';
import { chatParams, type ChatLimits, type ChatParams } from './chat-request';
import { GateRefusal, type UpstreamOpener } from './upstream-opener';
import { releaseWhenAnswered, type StreamSlot, type StreamSlots } from './stream-slots';
import { StreamDeadlines, deadlineOr } from './timeouts';
import { UsageTally } from './usage-tally';

/** What the subscription yields: an event, or the failure that ends it (the last item). */
export type ChatStreamItem = ChatCompletionEventType | AppError;

/**
 * One completion, start to end: validate, route, open the first candidate that answers, relay
 * its normalized events as START, DELTA*, USAGE, DONE, and write exactly one usage record
 * (SUCCEEDED, FAILED or ABORTED) without ever making the client wait for it.
 */
export class ChatService {
  constructor(
    private readonly deps: {
      router: Router;
      opener: UpstreamOpener;
      usageRecorder: UsageRecorder;
      metrics: Metrics;
      logger: Logger;
      timeouts: { firstByteTimeoutMs: number; idleTimeoutMs: number };
      maxConcurrentStreams: number;
      limits?: ChatLimits;
      streamSlots: StreamSlots;
      /** Keeps each stream's usage outside the process while it runs (crash safety). */
      journal?: InflightJournal;
    },
  ) {}

  /** Streams this process is relaying now. */
  private active = 0;

  /**
   * Never throws: a failure is the last item. `signal` aborts everything at once. One generator
   * from capacity check to DONE: a wrapper delegating with yield* costs promises on every delta.
   */
  async *stream(
    p: UserPrincipal,
    input: ChatCompletionInput,
    requestId: string,
    signal: AbortSignal,
    opts: StreamOptions = {},
  ): AsyncGenerator<ChatStreamItem> {
    const started = Date.now();
    if (this.active >= this.deps.maxConcurrentStreams) {
      // Back-pressure: refusing at once keeps the streams already running on time.
      yield new AppError('RATE_LIMITED', 'The gateway is at capacity; retry in a moment', { limit: 'streamsPerProcess', retryable: true });
      return;
    }
    this.active++;
    const { metrics, logger } = this.deps;
    let params: ChatParams;
    let plan: RoutePlan;
    try {
      params = chatParams(input, this.deps.limits);
      plan = supported(await this.deps.router.plan(p, input), params);
    } catch (err) {
      this.active--;
      yield asAppError(err, logger, requestId);
      return; // not routed: nothing to bill, no usage record
    }
    // After routing: the organization is one the caller is a member of (stream-slots.ts). Not
    // awaited here: the opener builds the upstream request during the Redis round trip and
    // sends nothing (and journals nothing) until the slot is held; a refusal ends the stream
    // below with nothing sent and no usage record. A personal slot asked for by the front door
    // (StreamOptions.personalSlot) is the same one, asked for earlier.
    const early = opts.personalSlot;
    const useEarly = early !== undefined && plan.organizationId === null && plan.userId === p.userId;
    if (early && !useEarly) releaseWhenAnswered(early);
    const slot = useEarly ? early : this.deps.streamSlots.acquire(plan.userId, plan.organizationId);
    const gate = slot.then((s) => (s instanceof AppError ? s : undefined));

    const tally = new UsageTally(params.promptChars);
    const outcome: Outcome = { status: UsageStatus.ABORTED, errorCode: null, candidate: plan.candidates[0]!, ttftMs: null };
    metrics.activeStreams.inc();
    // What this stream would leave if the process died now: in Redis, written when an upstream
    // is tried (the provider bills from then on), checkpointed while deltas flow.
    const inflight = this.deps.journal?.begin(requestId, () => this.usageInput(plan, outcome, tally, requestId, started, false).input);
    outcome.inflight = inflight;
    try {
      const opened = await this.deps.opener.open(
        plan,
        params,
        signal,
        (c) => {
          outcome.candidate = c;
          inflight?.write();
        },
        gate,
      );
      const { candidate, controller } = opened;
      yield {
        type: ChatEventType.START,
        requestId,
        provider: candidate.provider.id,
        keySource: candidate.keySource,
        keyId: candidate.key?.id ?? null,
        keyHint: candidate.key?.hint ?? null,
        upstreamModel: candidate.upstreamModel,
      };
      let finishReason = 'stop';
      let reasoningDetails: ChatCompletionEventType['reasoningDetails'];
      let stopSequence: string | null | undefined;
      const showReasoning = params.reasoning?.exclude !== true;
      const { firstByteTimeoutMs, idleTimeoutMs } = this.deps.timeouts;
      const deadlines = new StreamDeadlines(controller, firstByteTimeoutMs, idleTimeoutMs, candidate.provider.name);
      try {
        for await (const ev of opened.events) {
          deadlines.received();
          if (ev.type === 'delta') {
            tally.addDelta(ev.content, ev.reasoning, ev.toolCalls);
            inflight?.progress();
            const reasoning = showReasoning ? ev.reasoning : undefined;
            if (ev.content === undefined && reasoning === undefined && ev.toolCalls === undefined) {
              // Reasoning the client excluded, or a sealed detail only the front doors that ask see.
              if (ev.sealed && opts.seals) yield { type: ChatEventType.DELTA, requestId, sealed: ev.sealed };
            } else {
              outcome.ttftMs ??= Date.now() - started;
              const delta: ChatCompletionEventType = { type: ChatEventType.DELTA, requestId, content: ev.content, reasoning };
              if (ev.toolCalls) delta.toolCalls = ev.toolCalls;
              if (ev.sealed && opts.seals) delta.sealed = ev.sealed;
              yield delta;
            }
          } else if (ev.type === 'usage') tally.report(ev.usage);
          else {
            finishReason = ev.reason;
            reasoningDetails = ev.reasoningDetails;
            stopSequence = ev.stopSequence;
          }
          deadlines.waiting();
        }
      } catch (err) {
        throw deadlineOr(controller, err);
      } finally {
        deadlines.stop();
      }
      outcome.status = UsageStatus.SUCCEEDED;
      const usage = this.finish(plan, outcome, tally, requestId, started);
      yield { type: ChatEventType.USAGE, requestId, usage };
      const done: ChatCompletionEventType = { type: ChatEventType.DONE, requestId, finishReason };
      if (reasoningDetails?.length) done.reasoningDetails = reasoningDetails;
      if (stopSequence !== undefined) done.stopSequence = stopSequence;
      yield done;
    } catch (err) {
      if (err instanceof GateRefusal) {
        outcome.recorded = true; // refused before anything was sent: nothing to bill, no record
        yield err.error;
        return;
      }
      if (signal.aborted) return; // the client is gone: nothing to send; `finally` records ABORTED
      const error = asAppError(err, logger, requestId);
      outcome.status = UsageStatus.FAILED;
      outcome.errorCode = error.code;
      yield error;
    } finally {
      this.active--;
      // Whenever the slot's answer lands (it may still be on its way if building the request failed).
      releaseWhenAnswered(slot);
      metrics.activeStreams.dec();
      if (!outcome.recorded) this.finish(plan, outcome, tally, requestId, started);
    }
  }

  /** Writes the usage record (not awaited) and returns the usage to show. Runs once. */
  private finish(plan: RoutePlan, o: Outcome, tally: UsageTally, requestId: string, started: number) {
    o.recorded = true;
    const { input, counts, cost, estimated } = this.usageInput(plan, o, tally, requestId, started, o.status === UsageStatus.SUCCEEDED);
    const landed = this.deps.usageRecorder.record(input);
    o.inflight?.handedOver(landed);
    this.deps.metrics.completions.inc({ provider: o.candidate.provider.id, key_source: o.candidate.keySource, status: o.status });
    this.deps.logger.info(
      { requestId, model: plan.model.id, provider: o.candidate.provider.id, keySource: o.candidate.keySource, status: o.status, errorCode: o.errorCode, ttftMs: o.ttftMs, durationMs: input.durationMs },
      'completion finished',
    );
    return { ...counts, costMicroUsd: cost ?? 0, costKnown: cost !== null, estimated };
  }

  /** The record of this request as it stands (`complete`: the stream ended normally). */
  private usageInput(plan: RoutePlan, o: Outcome, tally: UsageTally, requestId: string, started: number, complete: boolean) {
    const { counts, estimated } = tally.final(complete);
    const cost = costMicroUsd(o.candidate.price, counts);
    const input: UsageRecordInput = {
      requestId,
      userId: plan.userId,
      organizationId: plan.organizationId,
      provider: o.candidate.provider.id,
      keySource: o.candidate.keySource,
      keyId: o.candidate.key?.id ?? null,
      model: plan.model.id,
      upstreamModel: o.candidate.upstreamModel,
      ...counts,
      usageEstimated: estimated,
      costMicroUsd: cost,
      status: o.status,
      errorCode: o.errorCode,
      timeToFirstTokenMs: o.ttftMs,
      durationMs: Date.now() - started,
      createdAt: new Date(started).toISOString(),
    };
    return { input, counts, cost, estimated };
  }
}

/** What a front door asks of the stream beyond the GraphQL events. */
export interface StreamOptions {
  /**
   * Also yield each reasoning detail as it is sealed (`sealed` on a DELTA): the Anthropic front
   * door streams a thinking block's signature at the block's end.
   */
  seals?: boolean;
  /**
   * The caller's personal stream slot (no organization), asked for by the front door as soon as
   * it knew the caller, so the Redis round trip overlaps reading and parsing the body. Used only
   * for a personal request of that user; the door still releases it when it is done (release
   * is idempotent), so a request that fails before the stream starts cannot keep it.
   */
  personalSlot?: Promise<StreamSlot | AppError>;
}

/**
 * The candidates whose provider can serve what the request uses (tools.md: a feature a provider
 * cannot do is BAD_USER_INPUT naming both, before anything is sent, so nothing is recorded).
 */
function supported(plan: RoutePlan, params: ChatParams): RoutePlan {
  let first: UnsupportedFeatureError | undefined;
  const candidates = plan.candidates.filter((c) => {
    try {
      adapterFor(c.provider.dialect).check({ ...params, provider: c.provider, upstreamModel: c.upstreamModel });
      return true;
    } catch (err) {
      if (!(err instanceof UnsupportedFeatureError)) throw err;
      first ??= err;
      return false;
    }
  });
  if (candidates.length === 0) throw new AppError('BAD_USER_INPUT', first!.message, { provider: plan.candidates[0]?.provider.id });
  return candidates.length === plan.candidates.length ? plan : { ...plan, candidates };
}

interface Outcome {
  status: UsageStatus;
  errorCode: string | null;
  /** The candidate that served, or the last one tried. */
  candidate: Candidate;
  ttftMs: number | null;
  recorded?: boolean;
  inflight?: InflightEntry;
}

function asAppError(err: unknown, logger: Logger, requestId: string): AppError {
  // Mid-stream errors from the dialect adapters carry their own code and a safe message.
  if (err instanceof UpstreamError) return new AppError(err.info.code, err.info.message);
  return unexpectedError(err, logger, { requestId }, 'This completion', 'unexpected error in a completion');
}
