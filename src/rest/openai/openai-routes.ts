/**
 * The OpenAI-compatible door: Chat Completions and models under `/v1`, and the same handlers
 * under the Kilo Gateway paths (`/api/openrouter`, `/api/gateway`) that Kilo Code calls when
 * pointed at a self-hosted gateway, plus its `GET /api/user`. Handlers only translate: wire →
 * ChatCompletionInput → ChatService → events → wire.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Router as ExpressRouter, type Router } from 'express';
import { AppError } from '../../errors/app-error';
import type { Logger } from '../../infra/logger';
import type { Services } from '../../composition/services';
import { collectCompletion, streamCompletion } from '../completion-runner';
import { readJsonBody } from '../json-body';
import { keyServedHeaders } from '../key-headers';
import { withPersonalSlot } from '../personal-slot';
import { restCaller } from '../rest-auth';
import { restHandler, sendJson } from '../rest-handler';
import { clientGone } from '../sse-writer';
import { openAiCompletion } from './openai-completion';
import { sendOpenAiError } from './openai-errors';
import { openAiModel, openAiModelList } from './openai-models';
import { parseOpenAiRequest } from './openai-request';
import { OpenAiStreamRendering, completionIdentity } from './openai-stream';

/** Where the OpenAI-shaped API is mounted: OpenAI's own prefix and the Kilo Gateway paths. */
export const OPENAI_PREFIXES = ['/v1', '/api/openrouter', '/api/gateway'] as const;

export interface OpenAiRoutesDeps {
  services: Services;
  logger: Logger;
  /** The request body limit in bytes. */
  maxBodyBytes: number;
  /** Keep-alive comment interval for streams (tests shorten it). */
  keepAliveMs?: number;
}

export function openAiRoutes(deps: OpenAiRoutesDeps): Router {
  const { services, logger, maxBodyBytes, keepAliveMs } = deps;
  // Every completion gets its own id: it keys the usage record (unique), so a client's
  // X-Request-Id, which retries repeat, cannot be it.
  const handler = (fn: (req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<void>) =>
    restHandler(logger, sendOpenAiError, fn, randomUUID);

  const chatCompletions = handler(async (req, res, requestId) => {
    const caller = await restCaller(services, req);
    await withPersonalSlot(services, caller, async (personalSlot) => {
      const wire = parseOpenAiRequest(await readJsonBody(req, maxBodyBytes), caller.organizationId);
      const items = services.chat.stream(caller.principal, wire.input, requestId, clientGone(res), { personalSlot });
      const identity = completionIdentity(requestId, wire.input.model);
      if (wire.stream) {
        await streamCompletion(res, items, requestId, new OpenAiStreamRendering(identity, wire.includeUsage), sendOpenAiError, keepAliveMs);
        return;
      }
      const { events, error } = await collectCompletion(items);
      const headers = keyServedHeaders(requestId, events[0]);
      if (error) return sendOpenAiError(res, error, headers);
      sendJson(res, 200, openAiCompletion(identity, events), headers);
    });
  });

  const listModels = handler(async (req, res, requestId) => {
    const caller = await restCaller(services, req);
    const models = await services.routableModels.list(caller.principal, caller.organizationId);
    sendJson(res, 200, openAiModelList(models), { 'x-request-id': requestId });
  });

  const getModel = handler(async (req, res, requestId) => {
    const caller = await restCaller(services, req);
    const id = modelIdParam(req);
    const models = await services.routableModels.list(caller.principal, caller.organizationId);
    const found = models.find((m) => m.model.id === id);
    if (!found) throw new AppError('MODEL_NOT_FOUND', `No model ${JSON.stringify(id.slice(0, 200))} you can use now`);
    sendJson(res, 200, openAiModel(found), { 'x-request-id': requestId });
  });

  const currentUser = handler(async (req, res, requestId) => {
    const caller = await restCaller(services, req);
    const user = await services.users.get(caller.principal.userId);
    sendJson(res, 200, { id: user.id, email: user.email, name: user.name }, { 'x-request-id': requestId });
  });

  const router = ExpressRouter();
  for (const prefix of OPENAI_PREFIXES) {
    router.post(`${prefix}/chat/completions`, chatCompletions);
    router.get(`${prefix}/models`, listModels);
    // Model ids hold slashes (`anthropic/claude-sonnet-4.5`).
    router.get(`${prefix}/models/*id`, getModel);
  }
  router.get('/api/user', currentUser);
  return router;
}

function modelIdParam(req: IncomingMessage): string {
  const segments = (req as IncomingMessage & { params: { id: string[] } }).params.id;
  return segments.join('/');
}
