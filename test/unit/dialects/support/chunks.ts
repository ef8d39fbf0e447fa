/** Deterministic byte splitting for replay tests: the same seed always cuts at the same places. */

/** mulberry32: a tiny seeded PRNG, enough to spread cut points. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cuts `bytes` into chunks of 1..maxChunk bytes at seeded random boundaries. */
export function splitRandomly(bytes: Uint8Array, seed: number, maxChunk = 48): Uint8Array[] {
  const random = seededRandom(seed);
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const size = 1 + Math.floor(random() * maxChunk);
    out.push(bytes.subarray(at, Math.min(bytes.length, at + size)));
    at += size;
  }
  return out;
}

/** Cuts `bytes` into single bytes. */
export function splitBytes(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 1) out.push(bytes.subarray(i, i + 1));
  return out;
}

/** Concatenates frames (Bedrock) into one buffer, to be re-split at arbitrary byte boundaries. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
}
