/**
 * Anthropic's token counter, `POST /v1/messages/count_tokens`
 * (https://docs.anthropic.com/en/api/messages-count-tokens): the same body as a Messages call,
 * without the sampling fields it does not take, answered `{"input_tokens": N}`. Free and
 * rate-limited separately from completions, so the Anthropic front door asks it instead of
 * guessing when the request would be served by an Anthropic key.
 */
import { UpstreamError } from '../types';
import type { UpstreamChatRequest } from '../types';
import { connectionError, malformedStreamError, mapHttpError } from './http-error';
import { postForStream, readCapped } from './http-client';
import { buildHeaders, joinUrl } from './http-stream';
import { anthropicClientHeaders, anthropicMessagesBody } from './anthropic-messages-request';
import { isObject, numberAt, parseJson } from './json';

/** An answer is a few bytes; an error body a few hundred. */
const BODY_CAP = 16 * 1024;
/** Messages fields count_tokens refuses ("Extra inputs are not permitted"). */
const NOT_COUNTED = ['stream', 'max_tokens', 'temperature', 'top_p', 'top_k', 'stop_sequences'];

export async function anthropicCountTokens(req: UpstreamChatRequest): Promise<number> {
  const body = anthropicMessagesBody(req);
  for (const field of NOT_COUNTED) delete body[field];
  const headers = buildHeaders(req);
  headers.accept = 'application/json';
  Object.assign(headers, anthropicClientHeaders(req));
  let status: number;
  let text: string;
  try {
    const res = await postForStream(joinUrl(req.endpoints.api, '/messages/count_tokens'), headers, JSON.stringify(body), req.signal);
    status = res.status;
    text = await readCapped(res.body, BODY_CAP);
  } catch (err) {
    if (req.signal.aborted) throw req.signal.reason ?? err;
    throw connectionError(req.provider.name);
  }
  if (status < 200 || status > 299) throw new UpstreamError(mapHttpError(req.provider, status, text, req.credential), status, 'connect');
  const json = parseJson(text);
  const tokens = isObject(json) ? numberAt(json, 'input_tokens') : undefined;
  if (tokens === undefined) throw malformedStreamError(req.provider.name);
  return tokens;
}
