import { randomBytes } from 'node:crypto';
import { generateMasterKey, parseMasterKeys } from '../../../src/crypto/master-keys';

const b64 = (bytes: number): string => randomBytes(bytes).toString('base64');

/** Asserts parsing throws a message containing `expected` and none of `material`. */
function expectParseError(value: string, expected: string | RegExp, material: string[]): void {
  let message = '';
  try {
    parseMasterKeys(value);
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message).not.toBe('');
  if (typeof expected === 'string') expect(message).toContain(expected);
  else expect(message).toMatch(expected);
  for (const m of material) expect(message).not.toContain(m);
}

describe('parseMasterKeys', () => {
  it('parses entries in order, first is active', () => {
    const a = b64(32);
    const b = b64(32);
    const keys = parseMasterKeys(`k1:${a}, k_2-x:${b}`);
    expect(keys.map((k) => k.id)).toEqual(['k1', 'k_2-x']);
    expect(keys[0]?.key.equals(Buffer.from(a, 'base64'))).toBe(true);
    expect(keys[1]?.key).toHaveLength(32);
  });

  it('accepts unpadded and URL-safe base64', () => {
    const raw = randomBytes(32);
    expect(parseMasterKeys(`a:${raw.toString('base64url')}`)[0]?.key.equals(raw)).toBe(true);
    expect(parseMasterKeys(`a:${raw.toString('base64').replace(/=+$/, '')}`)[0]?.key.equals(raw)).toBe(
      true,
    );
  });

  it('round-trips generateMasterKey', () => {
    const entry = generateMasterKey('dev');
    expect(entry).toMatch(/^dev:[A-Za-z0-9+/]{43}=$/);
    expect(parseMasterKeys(entry)[0]?.id).toBe('dev');
    expect(generateMasterKey('dev')).not.toBe(entry);
    expect(() => generateMasterKey('no spaces')).toThrow('id must match');
  });

  it('rejects an empty value', () => {
    expectParseError('', 'ENCRYPTION_KEYS is empty', []);
    expectParseError('   ', 'ENCRYPTION_KEYS is empty', []);
  });

  it('rejects a stray comma', () => {
    const a = b64(32);
    expectParseError(`k1:${a},`, 'entry 2 is empty', [a]);
  });

  it('rejects a wrong key length without echoing the key', () => {
    const good = b64(32);
    const short = b64(16);
    expectParseError(
      `k1:${good},k2:${short}`,
      'ENCRYPTION_KEYS entry 2 ("k2"): key must be 32 bytes of base64, got 16',
      [good, short],
    );
    const long = b64(64);
    expectParseError(`k1:${long}`, 'got 64', [long]);
  });

  it('rejects bad base64 without echoing the key', () => {
    const bad = `${b64(32).slice(0, 20)}!$%${b64(8)}`;
    expectParseError(`k1:${bad}`, 'entry 1 ("k1"): key is not valid base64', [bad, bad.slice(0, 20)]);
    expectParseError('k1:', 'key is missing', []);
  });

  it('rejects a duplicate id', () => {
    const a = b64(32);
    const b = b64(32);
    expectParseError(`k1:${a},k1:${b}`, 'entry 2 ("k1"): duplicate id', [a, b]);
  });

  it('rejects a missing separator without echoing the entry', () => {
    const a = b64(32);
    expectParseError(a, 'entry 1: expected "id:base64"', [a]);
  });

  it('rejects an invalid id without echoing it (it may be key material)', () => {
    const a = b64(32);
    expectParseError(`${a}:k1`, /entry 1: id must match/, [a]);
    expectParseError(`:${a}`, /entry 1: id must match/, [a]);
    expectParseError(`${'x'.repeat(33)}:${a}`, /got 33 characters/, [a]);
  });
});
