/**
 * The operator's catalog file (CATALOG_FILE): models added or replaced without a release.
 *
 * ```json
 * {"models":[{"id":"z-ai/glm-5.3","name":"GLM-5.3","contextLength":202752,
 *   "offers":[{"provider":"ZAI","upstreamModel":"glm-5.3",
 *              "price":{"inputPerMTok":1,"outputPerMTok":3.2,"cachedInputPerMTok":0.2,
 *                       "cacheWritePerMTok":1}}]}]}
 * ```
 * `price` is optional (cost unknown); `cachedInputPerMTok` (cache reads) and
 * `cacheWritePerMTok` (cache writes) default to `inputPerMTok`; `cacheWrite1hPerMTok` (1-hour
 * cache writes) to `cacheWritePerMTok`.
 * The config module passes the path; nothing here reads the environment.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { PROVIDER_IDS, ProviderId } from '../providers/types';
import { planRuleProblems } from './catalog';
import { MAX_MODEL_ID_LENGTH, type CatalogModel } from './types';

const enumMessage = `expected one of ${PROVIDER_IDS.join('|')}`;

const priceSchema = z
  .object({
    inputPerMTok: z.number().finite().nonnegative(),
    outputPerMTok: z.number().finite().nonnegative(),
    cachedInputPerMTok: z.number().finite().nonnegative().optional(),
    cacheWritePerMTok: z.number().finite().nonnegative().optional(),
    cacheWrite1hPerMTok: z.number().finite().nonnegative().optional(),
  })
  .strict();

const offerSchema = z
  .object({
    provider: z.nativeEnum(ProviderId, { errorMap: () => ({ message: enumMessage }) }),
    upstreamModel: z.string().trim().min(1, 'must not be empty').max(MAX_MODEL_ID_LENGTH, `must be at most ${MAX_MODEL_ID_LENGTH} characters`),
    price: priceSchema.nullable().optional(),
  })
  .strict();

const modelSchema = z
  .object({
    id: z.string().regex(/^\S+$/, 'must be non-empty with no whitespace').max(MAX_MODEL_ID_LENGTH, `must be at most ${MAX_MODEL_ID_LENGTH} characters`),
    name: z.string().trim().min(1, 'must not be empty'),
    contextLength: z.number().int().positive().optional(),
    offers: z.array(offerSchema).min(1, 'needs at least one offer'),
  })
  .strict();

const fileSchema = z.object({ models: z.array(modelSchema) }).strict();

/** `models[2].offers[0].provider` from a zod issue path. */
function pathOf(path: readonly (string | number)[]): string {
  return path.reduce<string>((out, p) => (typeof p === 'number' ? `${out}[${p}]` : out ? `${out}.${p}` : p), '');
}

/**
 * Parses and validates the catalog file's text.
 * @param source the file path, named in every error message.
 * @throws Error `CATALOG_FILE <source>: models[2].offers[0].provider: expected one of ANTHROPIC|…`
 *   listing every problem, one per `; `.
 */
export function parseCatalogFile(text: string, source: string): CatalogModel[] {
  const fail = (problems: string[]): never => {
    throw new Error(`CATALOG_FILE ${source}: ${problems.join('; ')}`);
  };
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (err) {
    return fail([`invalid JSON (${err instanceof Error ? err.message : String(err)})`]);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    return fail(parsed.error.issues.map((i) => (i.path.length > 0 ? `${pathOf(i.path)}: ${i.message}` : i.message)));
  }

  const problems: string[] = [];
  const seen = new Set<string>();
  const models = parsed.data.models.map((m, index): CatalogModel => {
    if (seen.has(m.id)) problems.push(`models[${index}].id: duplicate id "${m.id}"`);
    seen.add(m.id);
    const providers = new Set<ProviderId>();
    m.offers.forEach((o, i) => {
      if (providers.has(o.provider)) problems.push(`models[${index}].offers[${i}].provider: ${o.provider} listed twice`);
      providers.add(o.provider);
    });
    const model: CatalogModel = {
      id: m.id,
      name: m.name,
      ...(m.contextLength === undefined ? {} : { contextLength: m.contextLength }),
      offers: m.offers.map((o) => ({
        provider: o.provider,
        upstreamModel: o.upstreamModel,
        price: o.price
          ? {
              inputPerMTok: o.price.inputPerMTok,
              outputPerMTok: o.price.outputPerMTok,
              cachedInputPerMTok: o.price.cachedInputPerMTok ?? o.price.inputPerMTok,
              cacheWritePerMTok: o.price.cacheWritePerMTok ?? o.price.inputPerMTok,
              ...(o.price.cacheWrite1hPerMTok === undefined ? {} : { cacheWrite1hPerMTok: o.price.cacheWrite1hPerMTok }),
            }
          : null,
      })),
    };
    for (const p of planRuleProblems(model)) problems.push(`models[${index}].${p}`);
    return model;
  });
  if (problems.length > 0) fail(problems);
  return models;
}

/** Reads and parses the catalog file at `path`; errors name the file. */
export async function loadCatalogFile(path: string): Promise<CatalogModel[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new Error(`CATALOG_FILE ${path}: cannot read the file (${typeof code === 'string' ? code : 'error'})`);
  }
  return parseCatalogFile(text, path);
}
