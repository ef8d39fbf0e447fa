import { loadConfig, servingWarnings } from '../../../src/config/config';

const KEYS = `k1:${Buffer.alloc(32, 1).toString('base64')}`;

describe('request limits and METRICS_TOKEN in the configuration', () => {
  it('defaults: 20 MiB requests, 2000 tokens, 15 aliases, 50 directives, a 32 MiB document cache, /metrics open', () => {
    const c = loadConfig({ NODE_ENV: 'test', ENCRYPTION_KEYS: KEYS });
    expect(c.maxRequestBytes).toBe(20 * 1024 * 1024);
    expect(c.limits).toEqual({ maxQueryDepth: 10, maxQueryComplexity: 5000, maxQueryTokens: 2000, maxQueryAliases: 15, maxQueryDirectives: 50 });
    expect(c.documentCacheBytes).toBe(32 * 1024 * 1024);
    expect(c.metricsToken).toBeUndefined();
  });

  it('each is configurable, and a bad value names its variable', () => {
    const c = loadConfig({ NODE_ENV: 'test', ENCRYPTION_KEYS: KEYS, MAX_REQUEST_BYTES: '1048576', MAX_QUERY_TOKENS: '500', METRICS_TOKEN: 'm'.repeat(24) });
    expect(c.maxRequestBytes).toBe(1048576);
    expect(c.limits.maxQueryTokens).toBe(500);
    expect(c.metricsToken).toBe('m'.repeat(24));
    expect(() => loadConfig({ NODE_ENV: 'test', ENCRYPTION_KEYS: KEYS, MAX_REQUEST_BYTES: '20MB' })).toThrow(/MAX_REQUEST_BYTES/);
    expect(() => loadConfig({ NODE_ENV: 'test', ENCRYPTION_KEYS: KEYS, METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN: must be at least 24 characters/);
  });

  it('a production server without METRICS_TOKEN says /metrics is open (the CLI serves nothing and says nothing)', () => {
    expect(servingWarnings(loadConfig({ NODE_ENV: 'production', ENCRYPTION_KEYS: KEYS })).join('\n')).toMatch(/METRICS_TOKEN is not set/);
    expect(servingWarnings(loadConfig({ NODE_ENV: 'production', ENCRYPTION_KEYS: KEYS, METRICS_TOKEN: 'm'.repeat(24) }))).toEqual([]);
    const warnings: string[] = [];
    loadConfig({ NODE_ENV: 'production', ENCRYPTION_KEYS: KEYS }, { warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([]);
  });
});
