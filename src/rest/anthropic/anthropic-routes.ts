/**
 * The Anthropic Messages door (ARCHITECTURE.md "Front doors"): `POST /v1/messages` (also with
 * `?beta=true`, as the SDKs' beta client calls it), `POST /v1/messages/count_tokens`, `GET
 * /v1/models` when the request carries `anthropic-version`, and `HEAD /`, which Claude Code
 * probes. Thin: wire → internal request, the chat service, events → wire. Tenants, keys and usage
 * are the service's.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Router, type Request, type Response } from 'express';
import type { AppError } from '../../errors/app-error';
import { ChatEventType } from '../../modules/chat/chat-event.type';
import type { Services } from '../../composition/services';
import { collectCompletion, streamCompletion, type StreamRendering } from '../completion-runner';
import { retryAfterOf } from '../http-status';
import { readJsonBody } from '../json-body';
import { keyServedHeaders } from '../key-headers';
import { withPersonalSlot, type PersonalSlot } from '../personal-slot';
import { restCaller, type RestCaller } from '../rest-auth';
import { restError } from '../rest-handler';
import { clientGone } from '../sse-writer';
import { anthropicError, anthropicErrorEvent } from './anthropic-errors';
import { gatewayModelId } from './client-model';
import { MessageAssembler } from './message-assembler';
import { MessageRenderer } from './message-renderer';
import { parseCountTokensRequest, parseMessagesRequest, type AnthropicHeaders } from './messages-request';
import { anthropicModelList } from './models-list';
import { PING_FRAME, sseFrame, sseFrames } from './stream-events';
import { estimateInputTokens } from './token-estimate';

export interface AnthropicDoorDeps {
  services: Services;
  /** The largest request body read (images travel inline as base64). */
  maxBodyBytes: number;
  /** Silence after which a `ping` is written (default: the SSE writer's). */
  keepAliveMs?: number;
}

export function anthropicRoutes(deps: AnthropicDoorDeps): Router {
  const r = Router();
  r.post('/v1/messages', handler(deps, messages));
  r.post('/v1/messages/count_tokens', handler(deps, countTokens));
  // The OpenAI door owns GET /v1/models; Anthropic clients say who they are with this header.
  r.get('/v1/models', (req, res, next) => (req.headers['anthropic-version'] === undefined ? next() : handler(deps, models)(req, res)));
  r.head('/', (_req, res) => {
    res.status(200).end();
  });
  return r;
}

type Handle = (deps: AnthropicDoorDeps, req: Request, res: Response, requestId: string) => Promise<void>;

/** The one place this door turns a failure into Anthropic's error shape. */
function handler(deps: AnthropicDoorDeps, handle: Handle) {
  return (req: Request, res: Response): void => {
    const requestId = randomUUID();
    handle(deps, req, res, requestId).catch((err: unknown) => {
      const error = restError(err, deps.services.logger, requestId);
      if (res.headersSent) {
        res.end();
        return;
      }
      // A body left unread (refused while arriving) must not be parsed as the next request.
      respondError(res, error, { 'x-request-id': requestId, ...(req.complete ? {} : { connection: 'close' }) });
    });
  };
}

function respondError(res: ServerResponse, err: AppError, headers: Record<string, string>): void {
  const { status, body } = anthropicError(err);
  const retryAfter = retryAfterOf(err);
  res.writeHead(status, {
    'content-type': 'application/json',
    ...headers,
    ...(retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {}),
  });
  res.end(JSON.stringify(body));
}

function forwarded(req: IncomingMessage): AnthropicHeaders {
  return { beta: req.headers['anthropic-beta'], version: req.headers['anthropic-version'] };
}

async function messages(deps: AnthropicDoorDeps, req: Request, res: Response, requestId: string): Promise<void> {
  const caller = await restCaller(deps.services, req, { apiKeyHeader: true });
  await withPersonalSlot(deps.services, caller, (personalSlot) => relayMessages(deps, req, res, requestId, caller, personalSlot));
}

async function relayMessages(
  { services, maxBodyBytes, keepAliveMs }: AnthropicDoorDeps,
  req: Request,
  res: Response,
  requestId: string,
  caller: RestCaller,
  personalSlot: PersonalSlot,
): Promise<void> {
  const { input, stream } = parseMessagesRequest(await readJsonBody(req, maxBodyBytes), forwarded(req));
  const model = input.model;
  input.model = gatewayModelId(services.catalog, model);
  if (caller.organizationId) input.organizationId = caller.organizationId;
  const signal = clientGone(res);
  // ~0.05 ms for a 100 KB agent turn, for message_start: computed while the upstream call is on its
  // way (setImmediate runs after the request is written when routing needs no I/O), or when first
  // needed. A non-streaming answer shows message_delta's usage instead, so it needs none when
  // the provider's usage arrived (it always precedes DONE).
  let estimate: number | undefined;
  let reported = false;
  const inputTokensEstimate = (): number => (reported ? 0 : (estimate ??= estimateInputTokens(input)));
  const renderer = new MessageRenderer({ messageId: `msg_${requestId.replace(/-/g, '')}`, model, inputTokensEstimate });
  const items = services.chat.stream(caller.principal, input, requestId, signal, { seals: true, personalSlot });
  if (stream) {
    setImmediate(inputTokensEstimate);
    const wire: StreamRendering = {
      event: (ev) => sseFrames(ev.type === ChatEventType.START ? renderer.start() : renderer.push(ev)),
      error: (err) => sseFrame(anthropicErrorEvent(err)),
      end: () => '',
      keepAlive: PING_FRAME,
    };
    await streamCompletion(res, items, requestId, wire, respondError, keepAliveMs);
    return;
  }
  const { events, error } = await collectCompletion(items);
  if (signal.aborted) return;
  const headers = keyServedHeaders(requestId, events.find((e) => e.type === ChatEventType.START));
  if (error) return respondError(res, error, headers);
  reported = events.some((e) => e.type === ChatEventType.USAGE && e.usage);
  const message = new MessageAssembler();
  message.add(renderer.start());
  for (const ev of events) message.add(renderer.push(ev));
  res.writeHead(200, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(message.result()));
}

/** The provider's own count when Anthropic would serve the request, else an estimate, said so in a header. */
async function countTokens({ services, maxBodyBytes }: AnthropicDoorDeps, req: Request, res: Response, requestId: string): Promise<void> {
  const caller = await restCaller(services, req, { apiKeyHeader: true });
  const input = parseCountTokensRequest(await readJsonBody(req, maxBodyBytes), forwarded(req));
  input.model = gatewayModelId(services.catalog, input.model);
  if (caller.organizationId) input.organizationId = caller.organizationId;
  const counted = await services.tokenCount.count(caller.principal, input, clientGone(res));
  const headers: Record<string, string> =
    counted.inputTokens === undefined
      ? { 'x-request-id': requestId, 'x-byok-token-count': 'estimate' }
      : {
          ...keyServedHeaders(requestId, { type: ChatEventType.START, requestId, provider: counted.candidate.provider.id, keySource: counted.candidate.keySource, keyId: counted.candidate.key?.id ?? null, keyHint: counted.candidate.key?.hint ?? null }),
          'x-byok-token-count': 'provider',
        };
  res.writeHead(200, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ input_tokens: counted.inputTokens ?? estimateInputTokens(input) }));
}

/** What the caller can route now, as the OpenAI door lists it (in the caller's organization context). */
async function models({ services }: AnthropicDoorDeps, req: Request, res: Response, requestId: string): Promise<void> {
  const caller = await restCaller(services, req, { apiKeyHeader: true });
  const routable = await services.routableModels.list(caller.principal, caller.organizationId);
  const list = anthropicModelList(
    routable.map((r) => r.model),
    req.query as Record<string, unknown>,
  );
  res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': requestId });
  res.end(JSON.stringify(list));
}
