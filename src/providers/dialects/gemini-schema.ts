/**
 * JSON Schema → Gemini's `Schema` (an OpenAPI 3.0 subset, tools.md §1.3, §3.9). Unknown keywords
 * fail the whole request at Google's proto parser, so only the listed ones survive: `$ref`s to
 * `$defs`/`definitions` are inlined (recursion refused), type unions with "null" become
 * `nullable`, `const` and enums become string enums.
 */
import { UnsupportedFeatureError } from '../types';
import type { JsonObject } from './json';
import { isObject } from './json';

const KEEP = new Set(['description', 'format', 'title', 'minItems', 'maxItems', 'minLength', 'maxLength', 'minimum', 'maximum', 'minProperties', 'maxProperties', 'pattern', 'default', 'example', 'propertyOrdering']);
const MAX_DEPTH = 64;

/** The converted schema; `undefined` for an empty object schema at the root (omit `parameters`). */
export function toGeminiSchema(schema: JsonObject, providerName: string): JsonObject | undefined {
  const defs = { ...(isObject(schema.$defs) ? schema.$defs : {}), ...(isObject(schema.definitions) ? schema.definitions : {}) };
  const out = convert(schema, defs, [], providerName, 0);
  const props = out.properties as JsonObject | undefined;
  const empty = !props || Object.keys(props).length === 0;
  if (out.type === 'object' && empty && Object.keys(out).every((k) => k === 'type' || k === 'properties')) return undefined;
  return out;
}

function convert(schema: JsonObject, defs: JsonObject, refs: string[], providerName: string, depth: number): JsonObject {
  if (depth > MAX_DEPTH) throw new UnsupportedFeatureError(providerName, 'schemas nested deeper than 64 levels');
  const ref = typeof schema.$ref === 'string' ? schema.$ref : undefined;
  if (ref !== undefined) {
    const name = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(ref)?.[1];
    const target = name !== undefined ? defs[name] : undefined;
    if (!isObject(target)) throw new UnsupportedFeatureError(providerName, `the schema reference ${ref} (only #/$defs/… and #/definitions/…)`);
    if (refs.includes(ref)) throw new UnsupportedFeatureError(providerName, `recursive schemas (${ref})`);
    return convert(target, defs, [...refs, ref], providerName, depth + 1);
  }
  const out: JsonObject = {};
  const sub = (s: unknown) => (isObject(s) ? convert(s, defs, refs, providerName, depth + 1) : {});
  // Type unions: "null" → nullable; several others → anyOf.
  let types = Array.isArray(schema.type) ? (schema.type as unknown[]).filter((t): t is string => typeof t === 'string') : typeof schema.type === 'string' ? [schema.type] : [];
  if (types.includes('null')) {
    out.nullable = true;
    types = types.filter((t) => t !== 'null');
  }
  if (types.length === 1) out.type = types[0];
  else if (types.length > 1) out.anyOf = types.map((t) => ({ type: t }));
  for (const key of Object.keys(schema)) if (KEEP.has(key)) out[key] = schema[key];
  const values = Array.isArray(schema.enum) ? (schema.enum as unknown[]) : schema.const !== undefined ? [schema.const] : undefined;
  if (values) {
    out.enum = values.filter((v) => v !== null).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
    if (values.some((v) => typeof v !== 'string' && v !== null)) {
      out.type = 'string';
      out.format = 'enum';
    }
    out.type ??= 'string';
  }
  if (isObject(schema.properties)) {
    const props: JsonObject = {};
    for (const [k, v] of Object.entries(schema.properties)) props[k] = sub(v);
    out.properties = props;
    out.type ??= 'object';
  }
  if (Array.isArray(schema.required)) out.required = schema.required;
  if (schema.items !== undefined) out.items = Array.isArray(schema.items) ? sub(schema.items[0]) : sub(schema.items);
  const anyOf = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : undefined;
  if (anyOf) {
    const branches = (anyOf as unknown[]).filter((b) => !(isObject(b) && b.type === 'null'));
    if (branches.length < anyOf.length) out.nullable = true;
    if (branches.length === 1) Object.assign(out, sub(branches[0]));
    else out.anyOf = branches.map(sub);
  }
  if (Array.isArray(schema.allOf)) for (const b of schema.allOf as unknown[]) Object.assign(out, sub(b));
  if (out.type === 'object' && !out.properties && depth > 0) return { type: 'object', ...(out.nullable ? { nullable: true } : {}), ...(out.description ? { description: out.description } : {}) };
  return out;
}
