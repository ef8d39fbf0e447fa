/**
 * Narrowing helpers for upstream JSON: wire payloads are `unknown` until checked field by field,
 * so a provider adding, dropping or nulling a field never throws a TypeError mid-stream.
 */

/** A JSON object (not null, not an array). */
export type JsonObject = Record<string, unknown>;

/** Whether `value` is a JSON object. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value[key]` when it is an object, else undefined. */
export function objectAt(value: unknown, key: string): JsonObject | undefined {
  if (!isObject(value)) return undefined;
  const inner = value[key];
  return isObject(inner) ? inner : undefined;
}

/** `value[key]` when it is a finite number, else undefined. */
export function numberAt(value: unknown, key: string): number | undefined {
  if (!isObject(value)) return undefined;
  const inner = value[key];
  return typeof inner === 'number' && Number.isFinite(inner) ? inner : undefined;
}

/** `value[key]` when it is a string, else undefined. */
export function stringAt(value: unknown, key: string): string | undefined {
  if (!isObject(value)) return undefined;
  const inner = value[key];
  return typeof inner === 'string' ? inner : undefined;
}

/** The first element of `value[key]` when it is an array whose first element is an object. */
export function firstObjectAt(value: unknown, key: string): JsonObject | undefined {
  if (!isObject(value)) return undefined;
  const inner = value[key];
  if (!Array.isArray(inner)) return undefined;
  const first: unknown = inner[0];
  return isObject(first) ? first : undefined;
}

/** Parses JSON text, returning undefined instead of throwing on malformed input. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
