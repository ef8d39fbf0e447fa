import type { TestApp } from './app';
import { ADD_KEY, mockKeyInput, settledStatus } from './keys';
import type { Scenario } from './mock-upstream';

/** Adds a mock key through the GraphQL API and waits until its validation settled. */
export async function addSettledKey(
  t: TestApp,
  token: string,
  provider: string,
  scenario: Scenario = 'good',
  extra: Record<string, unknown> = {},
): Promise<{ id: string; hint: string; secret: string }> {
  const { input, secret } = mockKeyInput(provider, scenario, extra);
  const k = (await t.gql.ok<{ addByokKey: { id: string; hint: string } }>(ADD_KEY, { input }, token)).addByokKey;
  await settledStatus(t, k.id);
  return { ...k, secret };
}

/** A raw HTTP call to the service (fetch), with the body as text and the headers as a plain object. */
export async function restCall(
  t: TestApp,
  path: string,
  opts: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Record<string, string>; text: string; json: () => unknown }> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${t.url}${path}`, {
    method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
    headers,
    body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
  });
  const text = await res.text();
  t.gql.transcript.push(JSON.stringify(Object.fromEntries(res.headers)), text);
  return { status: res.status, headers: Object.fromEntries(res.headers), text, json: () => JSON.parse(text) as unknown };
}

/**
 * A fetch for SDK clients that keeps every response's headers and body in the app's transcript
 * (read from a clone in the background, so streams are not held back), for secret scans.
 */
export function recordingFetch(t: TestApp): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    const copy = res.clone();
    t.gql.transcript.push(JSON.stringify(Object.fromEntries(res.headers)));
    copy.text().then(
      (text) => t.gql.transcript.push(text),
      () => undefined,
    );
    return res;
  };
}
