import { ProviderId } from '../../../src/providers/types';
import {
  type Scenario,
  flaky,
  mockAwsCredentials,
  mockKey,
  parseMockAccessKeyId,
  parseMockKey,
} from '../../support/mock-upstream';

const SCENARIOS: Scenario[] = [
  'good',
  'bad',
  'quirk',
  'ratelimited',
  'server-error',
  flaky(2),
  flaky(17),
  'slow',
  'midstream-error',
  'no-usage',
  'hang',
];
const API_KEY_PROVIDERS = Object.values(ProviderId).filter((p) => p !== ProviderId.BEDROCK);

describe('mockKey', () => {
  it.each(API_KEY_PROVIDERS)('%s: round-trips every scenario, printable, 20–200 chars', (provider) => {
    for (const scenario of SCENARIOS) {
      const key = mockKey(provider, scenario, 'salt-1');
      expect(key).toMatch(/^[\x21-\x7e]{20,200}$/);
      expect(key).toContain('salt1');
      expect(parseMockKey(key)).toEqual({ provider, scenario });
    }
  });

  it('looks like the providers’ real keys', () => {
    expect(mockKey(ProviderId.OPENAI, 'good')).toMatch(/^sk-proj-/);
    expect(mockKey(ProviderId.ANTHROPIC, 'good')).toMatch(/^sk-ant-api03-/);
    expect(mockKey(ProviderId.GOOGLE, 'good')).toMatch(/^AIza/);
    expect(mockKey(ProviderId.XAI, 'good')).toMatch(/^xai-/);
    expect(mockKey(ProviderId.FIREWORKS, 'good')).toMatch(/^fw_/);
    expect(mockKey(ProviderId.FIREWORKS, 'quirk')).toMatch(/^fpk_/); // Fire Pass key
    expect(mockKey(ProviderId.BYTEPLUS_CODING, 'good')).toMatch(/^ark-/);
    expect(mockKey(ProviderId.CHUTES, 'good')).toMatch(/^cpk_/);
    expect(mockKey(ProviderId.KIMI_CODING, 'good')).toMatch(/^sk-kimi-/);
  });

  it('is unique per call', () => {
    const keys = new Set(Array.from({ length: 200 }, () => mockKey(ProviderId.OPENAI, 'good', 'same')));
    expect(keys.size).toBe(200);
  });

  it('tells providers with the same prefix apart (Inception/Novita, Mistral/Codestral, Moonshot/Kimi)', () => {
    expect(parseMockKey(mockKey(ProviderId.NOVITA, 'good'))?.provider).toBe(ProviderId.NOVITA);
    expect(parseMockKey(mockKey(ProviderId.INCEPTION, 'good'))?.provider).toBe(ProviderId.INCEPTION);
    expect(parseMockKey(mockKey(ProviderId.CODESTRAL, 'good'))?.provider).toBe(ProviderId.CODESTRAL);
    expect(parseMockKey(mockKey(ProviderId.KIMI_CODING, 'good'))?.provider).toBe(ProviderId.KIMI_CODING);
    expect(parseMockKey(mockKey(ProviderId.MOONSHOTAI, 'good'))?.provider).toBe(ProviderId.MOONSHOTAI);
  });

  it('does not parse foreign strings', () => {
    expect(parseMockKey('sk-proj-abc')).toBeUndefined();
    expect(parseMockKey('fpk_good-fireworks-mock-AAAAAAAAAAAAAAAAAAAA')).toBeUndefined();
    expect(parseMockAccessKeyId('AKIAIOSFODNN7EXAMPLE')).toBeUndefined();
  });

  it('Bedrock: JSON credentials with an AKIA id that carries the scenario', () => {
    for (const scenario of SCENARIOS) {
      const json = mockKey(ProviderId.BEDROCK, scenario, 'run7');
      expect(json).toMatch(/^[\x21-\x7e]{20,200}$/);
      const cred = JSON.parse(json) as { accessKeyId: string; secretAccessKey: string; region: string };
      expect(Object.keys(cred)).toEqual(['accessKeyId', 'secretAccessKey', 'region']);
      expect(cred.accessKeyId).toMatch(/^AKIA[A-Z0-9]{16}$/);
      expect(cred.secretAccessKey).toMatch(/^run7[A-Za-z0-9]{36}$/);
      expect(cred.region).toBe('us-east-1');
      expect(parseMockAccessKeyId(cred.accessKeyId)).toBe(scenario);
    }
    const ids = new Set(Array.from({ length: 100 }, () => mockAwsCredentials('good').accessKeyId));
    expect(ids.size).toBe(100);
  });

  it('rejects unknown scenarios', () => {
    expect(() => mockKey(ProviderId.OPENAI, 'nope' as Scenario)).toThrow(/unknown mock scenario/);
    expect(() => flaky(100)).toThrow(RangeError);
  });
});
