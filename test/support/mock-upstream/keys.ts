/**
 * Keys that look like each provider's real ones and carry a scenario the mock reads back.
 *
 * API keys: `<provider prefix><scenario token>-<provider tag>-<salt>-<20 random alnum>`,
 * e.g. `sk-proj-good-openai-run1-Xb3…`. The provider tag lets the mock refuse a key sent to
 * the wrong provider (an OpenAI key on Anthropic gets Anthropic's bad-key answer, a Kimi Code
 * key on Moonshot a 401, a Codestral key on Mistral a 401), as the real services do.
 *
 * AWS: access key id `AKIA` + 4-character scenario code + 12 random upper-case alnum (20
 * chars, like a real id); the salt goes into the secret, which never travels on the wire.
 */
import { randomBytes } from 'node:crypto';

import { ProviderId } from '../../../src/providers/types';
import {
  type Scenario,
  isScenario,
  scenarioAwsCode,
  scenarioFromAwsCode,
  scenarioFromToken,
  scenarioToken,
} from './scenarios';

interface KeyFormat {
  /** Prefix real keys of this provider start with (plausible where providers.md names none). */
  prefix: string;
  /** Prefix for `quirk` keys when the quirk is a different key kind (Fireworks Fire Pass `fpk_`). */
  quirkPrefix?: string;
}

/** Prefixes from providers.md where it names one; otherwise the provider's usual look. */
export const KEY_FORMATS: Record<Exclude<ProviderId, ProviderId.BEDROCK>, KeyFormat> = {
  [ProviderId.ANTHROPIC]: { prefix: 'sk-ant-api03-' },
  [ProviderId.FIREWORKS]: { prefix: 'fw_', quirkPrefix: 'fpk_' },
  [ProviderId.GOOGLE]: { prefix: 'AIza' },
  [ProviderId.INCEPTION]: { prefix: 'sk_' },
  [ProviderId.MINIMAX]: { prefix: 'sk-api-' },
  [ProviderId.MISTRAL]: { prefix: '' },
  [ProviderId.MOONSHOTAI]: { prefix: 'sk-' },
  [ProviderId.NOVITA]: { prefix: 'sk_' },
  [ProviderId.OPENAI]: { prefix: 'sk-proj-' },
  [ProviderId.XAI]: { prefix: 'xai-' },
  [ProviderId.ZAI]: { prefix: '' },
  [ProviderId.BYTEPLUS_CODING]: { prefix: 'ark-' },
  [ProviderId.CHUTES]: { prefix: 'cpk_' },
  [ProviderId.KIMI_CODING]: { prefix: 'sk-kimi-' },
  [ProviderId.CODESTRAL]: { prefix: '' },
  [ProviderId.NEURALWATT]: { prefix: 'sk-nw-' },
  [ProviderId.ZAI_CODING]: { prefix: '' },
};

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomFrom(alphabet: string, length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

/** Salts are reduced to [A-Za-z0-9], at most 40 chars, so keys stay parseable. */
function cleanSalt(salt: string | undefined): string {
  return (salt ?? 'mock').replace(/[^A-Za-z0-9]/g, '').slice(0, 40);
}

function providerTag(provider: ProviderId): string {
  return provider.toLowerCase().replace(/_/g, '');
}

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

/** AWS credentials whose access key id carries the scenario (`AKIA` + code + 12 random). */
export function mockAwsCredentials(scenario: Scenario, salt?: string, region = 'us-east-1'): AwsCredentials {
  assertScenario(scenario);
  const s = cleanSalt(salt);
  return {
    accessKeyId: `AKIA${scenarioAwsCode(scenario)}${randomFrom(UPPER_ALNUM, 12)}`,
    secretAccessKey: `${s}${randomFrom(ALNUM, Math.max(20, 40 - s.length))}`,
    region,
  };
}

/**
 * A fresh key for `provider` that makes the mock behave as `scenario`. Unique per call, so
 * tests can search logs and responses for it. Bedrock: the JSON credential string
 * `{"accessKeyId":…,"secretAccessKey":…,"region":"us-east-1"}`.
 */
export function mockKey(provider: ProviderId, scenario: Scenario, salt?: string): string {
  assertScenario(scenario);
  if (provider === ProviderId.BEDROCK) return JSON.stringify(mockAwsCredentials(scenario, salt));
  const format = KEY_FORMATS[provider];
  const prefix = scenario === 'quirk' && format.quirkPrefix ? format.quirkPrefix : format.prefix;
  return `${prefix}${scenarioToken(scenario)}-${providerTag(provider)}-${cleanSalt(salt)}-${randomFrom(ALNUM, 20)}`;
}

export interface ParsedMockKey {
  /** The provider the key was made for. */
  provider: ProviderId;
  scenario: Scenario;
}

const BODY = /^([a-z0-9]+)-([a-z]+)-([A-Za-z0-9]*)-([A-Za-z0-9]{20})$/;

/** Reads back provider and scenario from an API key made by `mockKey`; undefined otherwise. */
export function parseMockKey(key: string): ParsedMockKey | undefined {
  for (const [provider, format] of Object.entries(KEY_FORMATS) as Array<[ProviderId, KeyFormat]>) {
    for (const prefix of [format.prefix, format.quirkPrefix]) {
      if (prefix === undefined || !key.startsWith(prefix)) continue;
      const m = BODY.exec(key.slice(prefix.length));
      if (!m || m[2] !== providerTag(provider)) continue;
      const scenario = scenarioFromToken(m[1] ?? '');
      if (scenario === undefined) continue;
      // The Fire Pass prefix is only ever minted for `quirk`; anything else is a forgery.
      if (prefix === format.quirkPrefix && prefix !== format.prefix && scenario !== 'quirk') continue;
      return { provider, scenario };
    }
  }
  return undefined;
}

/** Scenario of an access key id made by `mockAwsCredentials`; undefined otherwise. */
export function parseMockAccessKeyId(accessKeyId: string): Scenario | undefined {
  const m = /^AKIA([A-Z0-9]{4})[A-Z0-9]{12}$/.exec(accessKeyId);
  return m ? scenarioFromAwsCode(m[1] ?? '') : undefined;
}

function assertScenario(s: string): asserts s is Scenario {
  if (!isScenario(s)) throw new Error(`unknown mock scenario: ${s}`);
}
