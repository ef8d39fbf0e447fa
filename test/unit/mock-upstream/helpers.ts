/** Request helpers for the mock upstream's own tests: the right auth style per provider. */
import { ProviderId } from '../../../src/providers/types';
import { MOCK_ROUTES, type MockUpstream, chatPath, mockKey, validationPath } from '../../support/mock-upstream';
import type { Scenario } from '../../support/mock-upstream';

/** A syntactically real SigV4 header (the mock reads the credential scope, not the signature). */
export function sigv4Headers(accessKeyId: string, service: string, region = 'us-east-1'): Record<string, string> {
  return {
    authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20260101/${region}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'ab'.repeat(32)}`,
    'x-amz-date': '20260101T000000Z',
  };
}

/** Headers presenting `key` the way `provider` expects it (Bedrock: `key` is the JSON credential). */
export function authHeaders(provider: ProviderId, key: string, base: 'api' | 'account' = 'api'): Record<string, string> {
  switch (MOCK_ROUTES[provider].auth) {
    case 'bearer':
      return { authorization: `Bearer ${key}` };
    case 'x-api-key':
      return provider === ProviderId.ANTHROPIC ? { 'x-api-key': key, 'anthropic-version': '2023-06-01' } : { 'X-Api-Key': key };
    case 'x-goog-api-key':
      return { 'x-goog-api-key': key };
    case 'sigv4': {
      const { accessKeyId } = JSON.parse(key) as { accessKeyId: string };
      return sigv4Headers(accessKeyId, base === 'account' ? 'sts' : 'bedrock');
    }
  }
}

/** The same key in the wrong style: Bearer for header providers, x-api-key for Bearer ones. */
export function wrongStyleHeaders(provider: ProviderId, key: string): Record<string, string> {
  const style = MOCK_ROUTES[provider].auth;
  if (style === 'bearer') return { 'x-api-key': key };
  if (style === 'sigv4') return { authorization: `Bearer ${key}` };
  return provider === ProviderId.ANTHROPIC
    ? { authorization: `Bearer ${key}`, 'anthropic-version': '2023-06-01' }
    : { authorization: `Bearer ${key}` };
}

export async function validate(mock: MockUpstream, provider: ProviderId, headers: Record<string, string>): Promise<Response> {
  const r = MOCK_ROUTES[provider];
  const init: RequestInit = { method: r.validation.method, headers: { ...headers } };
  if (provider === ProviderId.BEDROCK) {
    init.headers = { ...headers, 'content-type': 'application/x-www-form-urlencoded' };
    init.body = 'Action=GetCallerIdentity&Version=2011-06-15';
  }
  return fetch(mock.url + validationPath(provider), init);
}

export async function validateWith(mock: MockUpstream, provider: ProviderId, scenario: Scenario): Promise<Response> {
  const base = MOCK_ROUTES[provider].validation.base;
  return validate(mock, provider, authHeaders(provider, mockKey(provider, scenario), base));
}

export const CHAT_MODEL: Partial<Record<ProviderId, string>> = {
  [ProviderId.GOOGLE]: 'gemini-2.5-flash',
  [ProviderId.BEDROCK]: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
};

/** A streaming chat request in the provider's dialect. */
export async function chat(
  mock: MockUpstream,
  provider: ProviderId,
  key: string,
  opts: { signal?: AbortSignal; headers?: Record<string, string>; body?: Record<string, unknown> } = {},
): Promise<Response> {
  const model = CHAT_MODEL[provider] ?? 'test-model';
  const dialect = MOCK_ROUTES[provider].dialect;
  const body =
    dialect === 'openai'
      ? { model, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] }
      : dialect === 'anthropic'
        ? { model, stream: true, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }
        : dialect === 'gemini'
          ? { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }
          : { messages: [{ role: 'user', content: [{ text: 'hi' }] }] };
  return fetch(mock.url + chatPath(provider, model), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeaders(provider, key), ...opts.headers },
    body: JSON.stringify({ ...body, ...opts.body }),
    signal: opts.signal,
  });
}

/** Reads a response body as raw chunks (to see the split) and their concatenation. */
export async function readChunks(res: Response): Promise<{ chunks: Uint8Array[]; bytes: Buffer }> {
  const chunks: Uint8Array[] = [];
  const reader = res.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
  }
  return { chunks, bytes: Buffer.concat(chunks) };
}
