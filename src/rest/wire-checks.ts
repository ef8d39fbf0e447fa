/**
 * Type checks for JSON request bodies of the REST doors. Each throws BAD_USER_INPUT naming the
 * parameter (`messages[2].content`), so a wrong type is a 400 that says where, never a crash
 * deeper down. Absent and null are the same ("not sent"): clients send both.
 */
import { badInput } from '../errors/app-error';

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function object(v: unknown, param: string): Json {
  if (!isObject(v)) throw badInput(`${param} must be an object`, param);
  return v;
}

export function optObject(v: unknown, param: string): Json | undefined {
  return v === undefined || v === null ? undefined : object(v, param);
}

export function array(v: unknown, param: string): unknown[] {
  if (!Array.isArray(v)) throw badInput(`${param} must be an array`, param);
  return v;
}

export function optArray(v: unknown, param: string): unknown[] | undefined {
  return v === undefined || v === null ? undefined : array(v, param);
}

export function string(v: unknown, param: string): string {
  if (typeof v !== 'string') throw badInput(`${param} must be a string`, param);
  return v;
}

export function optString(v: unknown, param: string): string | undefined {
  return v === undefined || v === null ? undefined : string(v, param);
}

export function optNumber(v: unknown, param: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw badInput(`${param} must be a number`, param);
  return v;
}

export function optInteger(v: unknown, param: string): number | undefined {
  const n = optNumber(v, param);
  if (n !== undefined && !Number.isInteger(n)) throw badInput(`${param} must be an integer`, param);
  return n;
}

export function optBoolean(v: unknown, param: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw badInput(`${param} must be true or false`, param);
  return v;
}

/** One of `allowed` (case-sensitive, as the wire defines it). */
export function optEnum<T extends string>(v: unknown, allowed: readonly T[], param: string): T | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw badInput(`${param} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, param);
  }
  return v as T;
}
