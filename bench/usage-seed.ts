import type { DataSource } from 'typeorm';
import { BUILTIN_MODELS } from '../src/catalog/builtin-models';
import type { CatalogModel } from '../src/catalog/types';

/** The population the usage bench seeds: fixed, so runs at different row counts compare. */
export const SEED_SHAPE = {
  users: 5000,
  organizations: 500,
  /** Organization 0 holds 10% of the rows, spread over this many members. */
  bigOrgMembers: 400,
  models: 40,
  days: 90,
  /** Rows per INSERT … SELECT generate_series statement. */
  chunkRows: 250_000,
} as const;

/** Who the bench acts as: the big organization and its OWNER and one MEMBER. */
export interface SeedActors {
  bigOrgId: string;
  ownerId: string;
  memberId: string;
}

/** A deterministic id that passes the API's UUID check (version 4, variant 8 nibbles). */
function uuidSql(textExpr: string): string {
  return `(overlay(overlay(md5(${textExpr}) placing '4' from 13 for 1) placing '8' from 17 for 1))::uuid`;
}

const USER_ID = (n: string) => uuidSql(`'bench-user:' || ${n}`);
const ORG_ID = (n: string) => uuidSql(`'bench-org:' || ${n}`);
const KEY_ID = (owner: string, provider: string) => uuidSql(`'bench-key:' || ${owner}::text || ':' || ${provider}`);

/** 38 priced catalog models round-robin across providers, plus 2 passthrough ids of unknown cost. */
export function benchModels(): Array<{ id: string; provider: string; upstream: string; price: CatalogModel['offers'][number]['price'] }> {
  const byProvider = new Map<string, CatalogModel[]>();
  for (const m of BUILTIN_MODELS) {
    const p = m.offers[0]?.provider;
    if (p) byProvider.set(p, [...(byProvider.get(p) ?? []), m]);
  }
  const picked: ReturnType<typeof benchModels> = [];
  for (let round = 0; picked.length < SEED_SHAPE.models - 2; round++) {
    for (const list of byProvider.values()) {
      const m = list[round];
      const offer = m?.offers[0];
      if (m && offer && picked.length < SEED_SHAPE.models - 2) picked.push({ id: m.id, provider: offer.provider, upstream: offer.upstreamModel, price: offer.price });
    }
  }
  picked.push({ id: 'openai/gpt-next-preview', provider: 'OPENAI', upstream: 'gpt-next-preview', price: null });
  picked.push({ id: 'fireworks/accounts/x/models/custom', provider: 'FIREWORKS', upstream: 'accounts/x/models/custom', price: null });
  return picked;
}

/** Users, organizations (the big one first), memberships and one key per owner and provider. */
export async function seedTenants(db: DataSource): Promise<SeedActors> {
  const { users, organizations, bigOrgMembers } = SEED_SHAPE;
  await db.query(
    `INSERT INTO users (id, email, name) SELECT ${USER_ID('g')}, 'bench-user-' || g || '@bench.example', 'Bench user ' || g
     FROM generate_series(0, $1 - 1) g ON CONFLICT DO NOTHING`,
    [users],
  );
  await db.query(
    `INSERT INTO organizations (id, name) SELECT ${ORG_ID('g')}, 'Bench org ' || g FROM generate_series(0, $1 - 1) g ON CONFLICT DO NOTHING`,
    [organizations],
  );
  // Users 0..bigOrgMembers-1 are in the big org (0 OWNER, 1 ADMIN, 2 BILLING_MANAGER); the rest
  // are spread over the other organizations, the first of each its OWNER.
  await db.query(
    `INSERT INTO memberships (organization_id, user_id, role)
     SELECT ${ORG_ID('o')}, ${USER_ID('g')},
       (CASE WHEN g = 0 OR (g >= $2 AND g - $2 < $3 - 1) THEN 'OWNER' WHEN g = 1 THEN 'ADMIN' WHEN g = 2 THEN 'BILLING_MANAGER' ELSE 'MEMBER' END)::org_role
     FROM generate_series(0, $1 - 1) g
     CROSS JOIN LATERAL (SELECT CASE WHEN g < $2 THEN 0 ELSE 1 + (g - $2) % ($3 - 1) END AS o) x
     ON CONFLICT DO NOTHING`,
    [users, bigOrgMembers, organizations],
  );
  const providers = [...new Set(benchModels().map((m) => m.provider))];
  const owners = `(SELECT ${ORG_ID('g')} AS owner, NULL::uuid AS uid, ${ORG_ID('g')} AS org, ${USER_ID(`CASE WHEN g = 0 THEN 0 ELSE $2 + g - 1 END`)} AS creator FROM generate_series(0, $1 - 1) g
                   UNION ALL SELECT ${USER_ID('g')}, ${USER_ID('g')}, NULL, ${USER_ID('g')} FROM generate_series(0, $3 - 1) g) o`;
  await db.query(
    `INSERT INTO byok_keys (id, user_id, organization_id, provider, status, hint, master_key_id, wrapped_key, secret_iv, secret_ciphertext, secret_tag, created_by)
     SELECT ${KEY_ID('o.owner', 'p')}, o.uid, o.org, p, 'VALID', 'sk-…bnch', 'bench', '\\x00', '\\x00', '\\x00', '\\x00', o.creator
     FROM ${owners} CROSS JOIN unnest($4::text[]) p ON CONFLICT DO NOTHING`,
    [organizations, bigOrgMembers, users, providers],
  );
  const [big] = (await db.query(`SELECT ${ORG_ID('0')} AS org, ${USER_ID('0')} AS owner, ${USER_ID('10')} AS member`)) as Array<{
    org: string;
    owner: string;
    member: string;
  }>;
  return { bigOrgId: big!.org, ownerId: big!.owner, memberId: big!.member };
}

/**
 * One INSERT … SELECT of `count` rows with created_at in [fromIso, toIso), in time order (as the
 * gateway writes them). 10% big organization (Zipf-like over its members), 60% other
 * organizations, 30% personal; each user leans to a few of the 40 models; 10% platform key;
 * 95% SUCCEEDED, 3% FAILED, 2% ABORTED; cost from the catalog price, null for passthrough.
 */
export async function insertUsageChunk(db: DataSource, count: number, fromIso: string, toIso: string): Promise<void> {
  const models = benchModels();
  const { users, organizations, bigOrgMembers } = SEED_SHAPE;
  const others = users - bigOrgMembers;
  await db.query(
    `INSERT INTO usage_records (request_id, user_id, organization_id, provider, key_source, key_id, model, upstream_model,
       input_tokens, output_tokens, cached_input_tokens, reasoning_tokens, usage_estimated, cost_micro_usd, status,
       error_code, time_to_first_token_ms, duration_ms, created_at)
     SELECT gen_random_uuid(), ${USER_ID('c.u')}, CASE WHEN c.o IS NULL THEN NULL ELSE ${ORG_ID('c.o')} END, m.provider,
       (CASE WHEN x.r_key < 0.1 THEN 'PLATFORM' ELSE 'BYOK' END)::key_source,
       CASE WHEN x.r_key < 0.1 THEN NULL ELSE ${KEY_ID(`CASE WHEN c.o IS NULL THEN ${USER_ID('c.u')} ELSE ${ORG_ID('c.o')} END`, 'm.provider')} END,
       m.model, m.upstream, t.input, t.output, t.cached, t.reasoning, x.r_est < 0.01,
       CASE WHEN m.p_in IS NULL THEN NULL ELSE round((t.input - t.cached) * m.p_in + t.cached * m.p_cached + t.output * m.p_out)::bigint END,
       s.status::usage_status, s.error_code,
       CASE WHEN s.status = 'FAILED' THEN NULL ELSE 150 + floor(2000 * x.r_tok) END::int,
       (300 + floor(60000 * x.r_tok * x.r_tok))::int, x.created_at
     FROM (
       SELECT random() AS r_ctx, random() AS r_user, random() AS r_model, random() AS r_key, random() AS r_status,
              random() AS r_tok, random() AS r_out, random() AS r_est,
              $2::timestamptz + random() * ($3::timestamptz - $2::timestamptz) AS created_at
       FROM generate_series(1, $1) g
     ) x
     CROSS JOIN LATERAL (
       SELECT CASE WHEN x.r_ctx < 0.1 THEN floor($5::int * x.r_user ^ 2)::int
                   WHEN x.r_ctx < 0.7 THEN $5::int + floor($6::int * x.r_user ^ 1.5)::int
                   ELSE floor($4::int * x.r_user ^ 1.5)::int END AS u
     ) cu
     CROSS JOIN LATERAL (
       SELECT cu.u AS u, CASE WHEN x.r_ctx < 0.1 THEN 0 WHEN x.r_ctx < 0.7 THEN 1 + (cu.u - $5::int) % ($7::int - 1) ELSE NULL END AS o
     ) c
     CROSS JOIN LATERAL (
       SELECT 1 + (c.u * 7 + floor(40 * x.r_model ^ 3)::int) % 40 AS i
     ) mi
     CROSS JOIN LATERAL (
       SELECT ($8::text[])[mi.i] AS model, ($9::text[])[mi.i] AS provider, ($10::text[])[mi.i] AS upstream,
              ($11::float8[])[mi.i] AS p_in, ($12::float8[])[mi.i] AS p_out, ($13::float8[])[mi.i] AS p_cached
     ) m
     CROSS JOIN LATERAL (
       SELECT CASE WHEN x.r_status < 0.95 THEN 'SUCCEEDED' WHEN x.r_status < 0.98 THEN 'FAILED' ELSE 'ABORTED' END AS status,
              CASE WHEN x.r_status < 0.95 THEN NULL WHEN x.r_status < 0.98 THEN 'UPSTREAM_ERROR' ELSE NULL END AS error_code
     ) s
     CROSS JOIN LATERAL (
       SELECT i.input, CASE WHEN x.r_out < 0.3 THEN floor(i.input * 0.6 * x.r_out)::int ELSE 0 END AS cached,
              CASE WHEN s.status = 'FAILED' THEN 0 ELSE 20 + floor(3000 * x.r_out ^ 2)::int END AS output,
              CASE WHEN s.status <> 'FAILED' AND x.r_model < 0.2 THEN floor(1500 * x.r_out ^ 2)::int ELSE 0 END AS reasoning
       FROM (SELECT 100 + floor(30000 * x.r_tok ^ 3)::int AS input) i
     ) t
     ORDER BY x.created_at`,
    [
      count,
      fromIso,
      toIso,
      users,
      bigOrgMembers,
      others,
      organizations,
      models.map((m) => m.id),
      models.map((m) => m.provider),
      models.map((m) => m.upstream),
      models.map((m) => m.price?.inputPerMTok ?? null),
      models.map((m) => m.price?.outputPerMTok ?? null),
      models.map((m) => m.price?.cachedInputPerMTok ?? null),
    ],
  );
}
