import DataLoader from 'dataloader';
import { currentUser, type GraphQLContext } from '../../server/context';
import { requireRange } from './usage-filter';
import type { UsageTotalsRow } from './usage-rows';
import { DEFAULT_KEY_USAGE_DAYS } from './usage.service';

/** One ByokKey.usage field: a key and an already checked range. */
export interface KeyUsageRequest {
  keyId: string;
  from: Date;
  to: Date;
}

interface KeyUsageLoader {
  /** "Now" for the default range, fixed once per request so every key of a list shares one batch. */
  now: Date;
  loader: DataLoader<KeyUsageRequest, UsageTotalsRow, string>;
}

// Per request: the context object lives exactly as long as the request (or subscription event).
const LOADERS = new WeakMap<GraphQLContext, KeyUsageLoader>();

function loaderFor(ctx: GraphQLContext): KeyUsageLoader {
  let entry = LOADERS.get(ctx);
  if (!entry) {
    const loader = new DataLoader<KeyUsageRequest, UsageTotalsRow, string>(
      async (requests) => {
        // One query per distinct range (a list asks one range for all its keys): constant, not per key.
        const byRange = new Map<string, KeyUsageRequest[]>();
        for (const r of requests) {
          const range = `${r.from.toISOString()}/${r.to.toISOString()}`;
          byRange.set(range, [...(byRange.get(range) ?? []), r]);
        }
        const results = new Map<string, UsageTotalsRow>();
        for (const [range, group] of byRange) {
          const first = group[0]!;
          const totals = await ctx.services.usage.totalsForKeys(currentUser(ctx), [...new Set(group.map((g) => g.keyId))], first.from, first.to);
          for (const [keyId, t] of totals) results.set(`${keyId}@${range}`, t);
        }
        return requests.map((r) => results.get(cacheKey(r)) ?? new Error(`no usage computed for key ${r.keyId}`));
      },
      { cacheKeyFn: cacheKey },
    );
    entry = { now: new Date(), loader };
    LOADERS.set(ctx, entry);
  }
  return entry;
}

function cacheKey(r: KeyUsageRequest): string {
  return `${r.keyId}@${r.from.toISOString()}/${r.to.toISOString()}`;
}

/**
 * A key's usage totals over [from, to), batched across every key of the request. Without `to`:
 * now; without `from`: DEFAULT_KEY_USAGE_DAYS before `to`. BAD_USER_INPUT for a bad range.
 */
export function loadKeyUsage(ctx: GraphQLContext, keyId: string, from?: Date | null, to?: Date | null): Promise<UsageTotalsRow> {
  const { now, loader } = loaderFor(ctx);
  const end = to ?? now;
  const start = from ?? new Date(end.getTime() - DEFAULT_KEY_USAGE_DAYS * 86_400_000);
  requireRange(start, end);
  return loader.load({ keyId, from: start, to: end });
}
