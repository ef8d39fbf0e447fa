/**
 * `GET /v1/models` in Anthropic's list format (https://docs.anthropic.com/en/api/models-list),
 * answered when the request carries `anthropic-version` (the OpenAI door answers the rest).
 * The catalog is in memory, so this is fast: Claude Code gives up on a slow model list.
 */
import type { CatalogModel } from '../../catalog/types';
import { badInput } from '../../errors/app-error';

export interface AnthropicModelList {
  data: Array<{ type: 'model'; id: string; display_name: string; created_at: string }>;
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

/** The catalog holds no release dates; the epoch says "unknown" in a parseable RFC 3339 value. */
const UNKNOWN_DATE = new Date(0).toISOString();

/** One page: `limit` (1-1000, default 20) after `after_id` or before `before_id`. */
export function anthropicModelList(models: readonly CatalogModel[], query: Record<string, unknown>): AnthropicModelList {
  const limit = query.limit === undefined ? 20 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw badInput('limit: must be an integer from 1 to 1000', 'limit');
  const after = cursor(query.after_id, 'after_id');
  const before = cursor(query.before_id, 'before_id');
  if (after !== undefined && before !== undefined) throw badInput('send after_id or before_id, not both', 'after_id');
  let start = 0;
  let end = models.length;
  if (after !== undefined) start = position(models, after, 'after_id') + 1;
  if (before !== undefined) end = position(models, before, 'before_id');
  // before_id pages backwards: the `limit` models right before it.
  const page = before !== undefined ? models.slice(Math.max(start, end - limit), end) : models.slice(start, Math.min(end, start + limit));
  const data = page.map((m) => ({ type: 'model' as const, id: m.id, display_name: m.name, created_at: UNKNOWN_DATE }));
  const hasMore = before !== undefined ? end - limit > start : start + limit < end;
  return { data, has_more: hasMore, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null };
}

function cursor(v: unknown, name: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw badInput(`${name}: must be a model id`, name);
  return v;
}

function position(models: readonly CatalogModel[], id: string, name: string): number {
  const i = models.findIndex((m) => m.id === id);
  if (i < 0) throw badInput(`${name}: no model ${JSON.stringify(id.slice(0, 200))}`, name);
  return i;
}
