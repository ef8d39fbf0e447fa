import { credentialSecrets, redactCredential, redactUpstreamBody } from '../../../src/providers/credential-redaction';
import type { Credential } from '../../../src/providers/types';

const KEY = 'sk-$abcDEFghiJKLmno$pqrSTUvwx"y\\z/w';
const apiKey: Credential = { kind: 'api_key', apiKey: KEY };
const aws: Credential = { kind: 'aws', accessKeyId: 'AKIAABCDEFGHIJKLMNOP', secretAccessKey: 'secret$Access$Key', sessionToken: 'session$Token$Here', region: 'us-east-1' };

describe('credential redaction', () => {
  it('names the API key, and for AWS the secret, the session token and the access key id', () => {
    expect(credentialSecrets(apiKey)).toEqual([KEY]);
    expect(credentialSecrets(aws)).toEqual(['secret$Access$Key', 'AKIAABCDEFGHIJKLMNOP', 'session$Token$Here']);
  });

  it('scrubs the key however a body spells it: raw, base64, URL-encoded, JSON- and \\u-escaped, XML-escaped', () => {
    const b64 = Buffer.from(KEY).toString('base64');
    const unicodeEscaped = JSON.stringify(KEY).replace(/\$/g, '\\u0024');
    const body = `{"error":{"message":${unicodeEscaped},"raw":${JSON.stringify(KEY)},"b64":"${b64}","url":"${encodeURIComponent(KEY)}","slash":${JSON.stringify(KEY).replace(/\//g, '\\/')}}}`;
    const out = redactUpstreamBody(body, apiKey);
    const parsed = JSON.parse(out) as { error: Record<string, string> };
    expect(Object.values(parsed.error).every((v) => v.includes('[REDACTED]'))).toBe(true);
    expect(out).not.toContain('abcDEFghiJKLmno');
    expect(redactCredential(`<Message>${KEY.replace(/"/g, '&quot;')}</Message>`, apiKey)).toBe('<Message>[REDACTED]</Message>');
  });

  it('scrubs the AWS secret and token from plain text, leaving the rest alone', () => {
    expect(redactCredential('bad secret$Access$Key / session$Token$Here for AKIAABCDEFGHIJKLMNOP', aws)).toBe(
      'bad [REDACTED] / [REDACTED] for [REDACTED]',
    );
    expect(redactUpstreamBody('not json at all', aws)).toBe('not json at all');
  });
});
