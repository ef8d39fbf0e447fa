import { apiKeyHint, awsHint, credentialHint } from '../../../src/crypto/hint';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Deterministic pseudo-random body so expected hints are stable. */
function body(length: number, seed = 7): string {
  let out = '';
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out += ALNUM[x % ALNUM.length];
  }
  return out;
}

/** Checks a hint only shows a prefix and suffix of the key, within the stated limits. */
function expectSafeHint(key: string, hint: string): void {
  const parts = hint.split('…');
  expect(parts).toHaveLength(2);
  const [prefix = '', suffix = ''] = parts;
  expect(key.startsWith(prefix)).toBe(true);
  expect(key.endsWith(suffix)).toBe(true);
  expect(prefix.length).toBeLessThanOrEqual(8);
  expect(suffix.length).toBeLessThanOrEqual(4);
  expect(prefix.length + suffix.length).toBeLessThanOrEqual(key.length * 0.25);
}

const TYPICAL: Array<[name: string, key: string, hint: string]> = [
  ['OpenAI project', `sk-proj-${body(156)}`, 'sk-…'],
  ['OpenAI legacy', `sk-${body(48)}`, 'sk-…'],
  ['Anthropic', `sk-ant-api03-${body(93)}-${body(6, 3)}AA`, 'sk-…'],
  ['Google', `AIzaSy${body(33)}`, 'AIz…'],
  ['xAI', `xai-${body(80)}`, 'xai-…'],
  ['Fireworks', `fw_${body(24)}`, '…'],
  ['Fireworks long', `fw_${body(40)}`, 'fw_…'],
  ['Mistral (no prefix)', body(32), `${body(32).slice(0, 3)}…`],
  ['MiniMax JWT-like', `eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.${body(200)}`, 'eyJ…'],
];

describe('apiKeyHint', () => {
  it.each(TYPICAL)('%s key', (_name, key, expectedStart) => {
    const hint = apiKeyHint(key);
    expect(hint).toBe(`${expectedStart}${key.slice(-4)}`);
    expectSafeHint(key, hint);
  });

  it('shows only the last 2 chars of a 10-char key', () => {
    expect(apiKeyHint('abcdefghij')).toBe('…ij');
    expectSafeHint('abcdefghij', apiKeyHint('abcdefghij'));
  });

  it('drops the vendor prefix when it would reveal more than 25%', () => {
    expect(apiKeyHint(`sk-${body(17)}`)).toBe(`…${body(17).slice(-4)}`);
    expect(apiKeyHint(`sk-${body(25)}`)).toBe(`sk-${'…'}${body(25).slice(-4)}`);
  });

  it('stays within limits for every length and prefix shape', () => {
    for (let length = 0; length <= 120; length++) {
      for (const lead of ['', 'sk-', 'sk-proj-', 'abcdefg_', 'abcdefgh-', 'fw_', 'x']) {
        const key = (lead + body(length)).slice(0, Math.max(length, 0));
        expectSafeHint(key, apiKeyHint(key));
      }
    }
  });

  it('reveals nothing of very short keys', () => {
    expect(apiKeyHint('')).toBe('…');
    expect(apiKeyHint('abc')).toBe('…');
    expect(apiKeyHint('abcdefgh')).toBe('…gh');
  });

  it('ignores a separator beyond the first 8 chars', () => {
    const key = `abcdefghij-${body(30)}`;
    expect(apiKeyHint(key)).toBe(`abc…${key.slice(-4)}`);
  });
});

describe('awsHint', () => {
  it('formats access key id and region', () => {
    expect(awsHint('AKIAIOSFODNN7EXAMPLE', 'us-east-1')).toBe('AKIA…MPLE (us-east-1)');
    expect(awsHint('ASIAY34FZKBOKMUTVV7A', 'eu-west-3')).toBe('ASIA…VV7A (eu-west-3)');
  });

  it('does not echo an unexpected region or a too-short id', () => {
    expect(awsHint('AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG')).toBe('AKIA…MPLE (invalid region)');
    expect(awsHint('AKIA1234', 'us-east-1')).toBe('…34 (us-east-1)');
  });
});

describe('credentialHint', () => {
  it('dispatches on kind and never uses the AWS secret', () => {
    const key = `sk-proj-${body(100)}`;
    expect(credentialHint({ kind: 'api_key', apiKey: key })).toBe(apiKeyHint(key));
    const hint = credentialHint({
      kind: 'aws',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN',
      region: 'us-west-2',
    });
    expect(hint).toBe('AKIA…MPLE (us-west-2)');
  });
});
