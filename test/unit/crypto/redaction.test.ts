import { Writable } from 'node:stream';
import pino from 'pino';
import { maskUrlPassword, REDACT_PATHS, redactSecrets } from '../../../src/crypto/redaction';
import { secretForms } from '../../../src/crypto/secret-forms';

const SECRET = 'sk-ant-api03-Zx9_abc+/def==-AAAA';

describe('secretForms', () => {
  it('returns text, base64 (padded and not), base64url and hex in both cases', () => {
    const bytes = Buffer.from(SECRET);
    const forms = secretForms(SECRET);
    for (const expected of [
      SECRET,
      bytes.toString('base64'),
      bytes.toString('base64').replace(/=+$/, ''),
      bytes.toString('base64url'),
      bytes.toString('hex'),
      bytes.toString('hex').toUpperCase(),
    ]) {
      expect(forms).toContain(expected);
    }
    expect(new Set(forms).size).toBe(forms.length);
  });

  it('returns nothing for an empty secret', () => {
    expect(secretForms('')).toEqual([]);
  });
});

describe('redactSecrets', () => {
  it('replaces every occurrence in every form', () => {
    const bytes = Buffer.from(SECRET);
    const text = [
      `Incorrect API key provided: ${SECRET}.`,
      `again ${SECRET}`,
      `basic ${bytes.toString('base64')}`,
      `url ${bytes.toString('base64url')}`,
      `hex ${bytes.toString('hex')} HEX ${bytes.toString('hex').toUpperCase()}`,
      `query ?key=${encodeURIComponent(SECRET)}`,
    ].join('\n');
    const out = redactSecrets(text, [SECRET]);
    for (const form of [...secretForms(SECRET), encodeURIComponent(SECRET)]) {
      expect(out).not.toContain(form);
    }
    expect(out).toContain('Incorrect API key provided: [REDACTED].');
    expect(out.match(/\[REDACTED\]/g)).toHaveLength(7);
  });

  it('handles several secrets and ignores empty ones', () => {
    const out = redactSecrets('id AKIAEXAMPLE secret wJalr/EXAMPLE', ['', 'wJalr/EXAMPLE', 'AKIAEXAMPLE']);
    expect(out).toBe('id [REDACTED] secret [REDACTED]');
    expect(redactSecrets('nothing here', [])).toBe('nothing here');
  });

  it('treats secrets literally, not as patterns', () => {
    expect(redactSecrets('a.b a+b (x)', ['a+b', '(x)'])).toBe('a.b [REDACTED] [REDACTED]');
  });
});

describe('REDACT_PATHS with pino', () => {
  function logLine(obj: Record<string, unknown>): string {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString());
        callback();
      },
    });
    const logger = pino({ redact: { paths: REDACT_PATHS, censor: '[REDACTED]' } }, stream);
    logger.info(obj, 'msg');
    return chunks.join('');
  }

  it('is accepted by pino and redacts secrets at the usual places', () => {
    const line = logLine({
      apiKey: 's-top',
      req: { headers: { authorization: 'Bearer s-auth', 'x-api-key': 's-xapi', 'x-goog-api-key': 's-goog' } },
      headers: { Authorization: 's-auth2' },
      connectionParams: { authorization: 'Bearer s-ws' },
      variables: { input: { apiKey: 's-var', awsCredentials: { secretAccessKey: 's-aws' }, name: 'mine' } },
      credential: { kind: 'api_key', apiKey: 's-cred' },
      job: { data: { token: 's-token', password: 's-pw', sessionToken: 's-sess', secretAccessKey: 's-sak' } },
      upstream: { request: { headers: { authorization: 's-deep' } } },
      keep: { model: 'gpt-4o', hint: 'sk-…f3a9' },
    });
    expect(line).not.toMatch(/s-[a-z0-9]+/);
    expect(line).toContain('"model":"gpt-4o"');
    expect(line).toContain('"hint":"sk-…f3a9"');
    expect(line).toContain('"name":"mine"');
    expect(line).toContain('[REDACTED]');
  });
});

describe('maskUrlPassword', () => {
  it.each([
    ['postgres://user:pw@host', 'postgres://user:***@host'],
    ['postgres://user:pw@host:5432/db?sslmode=require', 'postgres://user:***@host:5432/db?sslmode=require'],
    ['postgresql://app:s%40cr%2Fet@db.internal/app', 'postgresql://app:***@db.internal/app'],
    ['redis://:hunter2@localhost:6379/0', 'redis://:***@localhost:6379/0'],
    ['rediss://default:p@ss@cache:6380', 'rediss://default:***@cache:6380'],
    ['postgres://u:pa/ss@host/db', 'postgres://u:***@host/db'],
    ['postgres://u:p:w@h1:5432,h2:5432/db', 'postgres://u:***@h1:5432,h2:5432/db'],
    ['https://user:pw@example.com/path?q=1#frag', 'https://user:***@example.com/path?q=1#frag'],
  ])('masks %s', (input, expected) => {
    expect(maskUrlPassword(input)).toBe(expected);
  });

  it.each([
    'postgres://user@host/db',
    'postgres://host:5432/db',
    'postgres://user:@host/db',
    'redis://localhost:6379',
    'https://example.com/a@b',
    'https://example.com:8443/users/a@b?x=y',
    'https://example.com/?email=a:b@c',
    'http://[::1]:8080/a@b',
    'http://[::1]/a@b',
    'not a url',
    'user:pw@host',
    '',
    '://',
  ])('leaves %s untouched', (input) => {
    expect(maskUrlPassword(input)).toBe(input);
  });
});
