import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalogFile, parseCatalogFile } from '../../../src/catalog/catalog-file';
import { createCatalog } from '../../../src/catalog/catalog';
import { ProviderId } from '../../../src/providers/types';

const SOURCE = '/etc/byok/catalog.json';
const file = (models: unknown[]): string => JSON.stringify({ models });
const good = {
  id: 'z-ai/glm-5.3',
  name: 'GLM-5.3',
  contextLength: 202752,
  offers: [
    { provider: 'ZAI', upstreamModel: 'glm-5.3', price: { inputPerMTok: 1, outputPerMTok: 3.2, cachedInputPerMTok: 0.2, cacheWritePerMTok: 1.25 } },
    { provider: 'FIREWORKS', upstreamModel: 'accounts/fireworks/models/glm-5p3' },
  ],
};

describe('parseCatalogFile', () => {
  it('takes an optional 1-hour cache-write price (absent: writes are one price)', () => {
    const claude = { id: 'my/claude', name: 'Claude', offers: [{ provider: 'ANTHROPIC', upstreamModel: 'claude-x', price: { inputPerMTok: 3, outputPerMTok: 15, cacheWritePerMTok: 3.75, cacheWrite1hPerMTok: 6 } }] };
    expect(parseCatalogFile(file([claude]), SOURCE)[0]!.offers[0]!.price).toEqual({ inputPerMTok: 3, outputPerMTok: 15, cachedInputPerMTok: 3, cacheWritePerMTok: 3.75, cacheWrite1hPerMTok: 6 });
    expect(parseCatalogFile(file([good]), SOURCE)[0]!.offers[0]!.price).not.toHaveProperty('cacheWrite1hPerMTok');
  });

  it('parses models, defaulting a missing price to null and cache reads and writes to the input price', () => {
    const models = parseCatalogFile(
      file([good, { id: 'openai/gpt-5.5', name: 'GPT-5.5', offers: [{ provider: 'OPENAI', upstreamModel: 'gpt-5.5', price: { inputPerMTok: 4, outputPerMTok: 20 } }] }]),
      SOURCE,
    );
    expect(models).toEqual([
      {
        id: 'z-ai/glm-5.3',
        name: 'GLM-5.3',
        contextLength: 202752,
        offers: [
          { provider: ProviderId.ZAI, upstreamModel: 'glm-5.3', price: { inputPerMTok: 1, outputPerMTok: 3.2, cachedInputPerMTok: 0.2, cacheWritePerMTok: 1.25 } },
          { provider: ProviderId.FIREWORKS, upstreamModel: 'accounts/fireworks/models/glm-5p3', price: null },
        ],
      },
      {
        id: 'openai/gpt-5.5',
        name: 'GPT-5.5',
        offers: [{ provider: ProviderId.OPENAI, upstreamModel: 'gpt-5.5', price: { inputPerMTok: 4, outputPerMTok: 20, cachedInputPerMTok: 4, cacheWritePerMTok: 4 } }],
      },
    ]);
    const catalog = createCatalog(models);
    expect(catalog.get('openai/gpt-5.5')?.name).toBe('GPT-5.5');
    expect(catalog.resolve('z-ai/glm-5.3')?.passthrough).toBe(false);
  });

  it('accepts an empty model list', () => {
    expect(parseCatalogFile('{"models":[]}', SOURCE)).toEqual([]);
  });

  it('names the file, the model index and the field of an unknown provider', () => {
    const bad = { ...good, offers: [{ provider: 'OPENROUTER', upstreamModel: 'x' }] };
    expect(() => parseCatalogFile(file([good, good, bad]), SOURCE)).toThrow(
      `CATALOG_FILE ${SOURCE}: models[2].offers[0].provider: expected one of ANTHROPIC|BEDROCK|FIREWORKS|GOOGLE|INCEPTION|MINIMAX|MISTRAL|MOONSHOTAI|NOVITA|OPENAI|XAI|ZAI|BYTEPLUS_CODING|CHUTES|KIMI_CODING|CODESTRAL|NEURALWATT|ZAI_CODING`,
    );
  });

  it.each([
    ['not JSON', '{"models": [', /^CATALOG_FILE \/etc\/byok\/catalog\.json: invalid JSON/],
    ['no models key', '{}', /: models: Required/],
    ['a typo in a field name', file([{ ...good, context_length: 5 }]), /models\[0\]: Unrecognized key\(s\) in object: 'context_length'/],
    ['a negative price', file([{ ...good, offers: [{ provider: 'ZAI', upstreamModel: 'g', price: { inputPerMTok: -1, outputPerMTok: 1 } }] }]), /models\[0\]\.offers\[0\]\.price\.inputPerMTok: Number must be greater than or equal to 0/],
    ['a negative cache-write price', file([{ ...good, offers: [{ provider: 'ZAI', upstreamModel: 'g', price: { inputPerMTok: 1, outputPerMTok: 1, cacheWritePerMTok: -0.5 } }] }]), /models\[0\]\.offers\[0\]\.price\.cacheWritePerMTok: Number must be greater than or equal to 0/],
    ['a cache-write price that is not a number', file([{ ...good, offers: [{ provider: 'ZAI', upstreamModel: 'g', price: { inputPerMTok: 1, outputPerMTok: 1, cacheWritePerMTok: '1.25' } }] }]), /models\[0\]\.offers\[0\]\.price\.cacheWritePerMTok: Expected number, received string/],
    ['no offers', file([{ ...good, offers: [] }]), /models\[0\]\.offers: needs at least one offer/],
    ['an empty upstream id', file([{ ...good, offers: [{ provider: 'ZAI', upstreamModel: ' ' }] }]), /models\[0\]\.offers\[0\]\.upstreamModel: must not be empty/],
    ['a fractional context length', file([{ ...good, contextLength: 1.5 }]), /models\[0\]\.contextLength: Expected integer/],
    ['an id with spaces', file([{ ...good, id: 'my model' }]), /models\[0\]\.id: must be non-empty with no whitespace/],
    ['a duplicate id', file([good, good]), /models\[1\]\.id: duplicate id "z-ai\/glm-5\.3"/],
    ['a provider listed twice', file([{ ...good, offers: [good.offers[0], good.offers[0]] }]), /models\[0\]\.offers\[1\]\.provider: ZAI listed twice/],
    [
      'a plan serving a non-plan model',
      file([{ ...good, offers: [{ provider: 'ZAI_CODING', upstreamModel: 'glm-5.3' }] }]),
      /models\[0\]\.offers\[0\]\.provider: ZAI_CODING is a subscription plan and serves only "zai-coding\/…" models/,
    ],
    [
      'a plan model served by someone else',
      file([{ id: 'zai-coding/glm-5.3', name: 'x', offers: [{ provider: 'ZAI', upstreamModel: 'glm-5.3' }] }]),
      /models\[0\]\.offers\[0\]\.provider: "zai-coding\/…" models are served only by ZAI_CODING/,
    ],
  ])('rejects %s with a clear message', (_case, text, message) => {
    expect(() => parseCatalogFile(text, SOURCE)).toThrow(message);
  });

  it('reports every problem at once', () => {
    const text = file([{ ...good, name: '' }, { ...good, id: 'x/y', offers: [{ provider: 'NOPE', upstreamModel: 'a' }] }]);
    expect(() => parseCatalogFile(text, SOURCE)).toThrow(/models\[0\]\.name: must not be empty; models\[1\]\.offers\[0\]\.provider: expected one of/);
  });
});

describe('loadCatalogFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'catalog-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads and parses the file', async () => {
    const path = join(dir, 'ok.json');
    await writeFile(path, file([good]));
    expect((await loadCatalogFile(path)).map((m) => m.id)).toEqual(['z-ai/glm-5.3']);
  });

  it('names a missing file', async () => {
    const path = join(dir, 'missing.json');
    await expect(loadCatalogFile(path)).rejects.toThrow(`CATALOG_FILE ${path}: cannot read the file (ENOENT)`);
  });
});
