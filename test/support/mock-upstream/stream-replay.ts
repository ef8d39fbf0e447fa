/**
 * Writes stream bodies the way networks deliver them: split at random byte boundaries (so
 * parsers meet half events and half frames), with small random pauses between some chunks.
 */
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

import { type Rng, randomInt } from './prng';

export interface SyntheticStreamConfig {
  /** Number of one-word content deltas. */
  deltas: number;
  /** Pause between deltas (0: back to back). */
  intervalMs: number;
}

/** True once the response can take no more bytes (client gone or mock closing). */
function gone(res: ServerResponse, signal: AbortSignal): boolean {
  return signal.aborted || res.destroyed || res.writableEnded;
}

/** Resolves when the write buffer drains, or the response closes. */
async function write(res: ServerResponse, chunk: Uint8Array): Promise<void> {
  if (res.write(chunk)) return;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Pauses; returns false when aborted meanwhile. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/** Streams `body` in random slices (1–96 bytes; a 0–5 ms pause after about a quarter of them). */
export async function replayChunked(res: ServerResponse, body: Buffer, rng: Rng, signal: AbortSignal): Promise<void> {
  let offset = 0;
  let first = true;
  while (offset < body.length) {
    if (gone(res, signal)) return;
    const size = randomInt(rng, 1, 96);
    await write(res, body.subarray(offset, offset + size));
    offset += size;
    // Always pause after the first slice, so even a short body reaches the client in pieces.
    if (offset < body.length && (first || rng() < 0.25)) {
      if (!(await pause(first ? randomInt(rng, 1, 5) : randomInt(rng, 0, 5), signal))) return;
    }
    first = false;
  }
  if (!gone(res, signal)) res.end();
}

/** The word each synthetic delta carries (`w1 `, `w2 `, …): the full text is their concatenation. */
export function syntheticWord(i: number): string {
  return `w${i} `;
}

/** OpenAI chat SSE with `deltas` one-word chunks, a finish chunk, a usage chunk and `[DONE]`. */
export async function replaySynthetic(
  res: ServerResponse,
  cfg: SyntheticStreamConfig,
  model: string,
  signal: AbortSignal,
): Promise<void> {
  const id = 'chatcmpl-mock-synthetic';
  const created = Math.floor(Date.now() / 1000);
  const chunk = (choices: unknown[], usage: unknown = null): string =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices, usage })}\n\n`;
  for (let i = 1; i <= cfg.deltas; i++) {
    if (gone(res, signal)) return;
    const delta = i === 1 ? { role: 'assistant', content: syntheticWord(i) } : { content: syntheticWord(i) };
    await write(res, Buffer.from(chunk([{ index: 0, delta, finish_reason: null }])));
    if (cfg.intervalMs > 0 && i < cfg.deltas && !(await pause(cfg.intervalMs, signal))) return;
  }
  if (gone(res, signal)) return;
  await write(res, Buffer.from(chunk([{ index: 0, delta: {}, finish_reason: 'stop' }])));
  const usage = { prompt_tokens: 10, completion_tokens: cfg.deltas, total_tokens: 10 + cfg.deltas };
  await write(res, Buffer.from(`${chunk([], usage)}data: [DONE]\n\n`));
  if (!gone(res, signal)) res.end();
}
