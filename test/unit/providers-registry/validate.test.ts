import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getProvider } from '../../../src/providers/registry';
import { isValidAwsRegion, resolveEndpointUrl, resolveEndpoints, validateCredential } from '../../../src/providers/validate';
import { ProviderId } from '../../../src/providers/types';
import type { Credential, ProviderDeclaration } from '../../../src/providers/types';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (req: Seen, res: ServerResponse) => void;

let server: Server;
let base: string;
let handler: Handler;
const seen: Seen[] = [];
/** Responses a test left unanswered on purpose, ended after it. */
const hanging: ServerResponse[] = [];
const hang: Handler = (_req, res) => {
  hanging.push(res);
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(s);
      handler(s, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

afterEach(() => {
  for (const res of hanging.splice(0)) res.destroy();
});

beforeEach(() => {
  seen.length = 0;
  handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[]}');
});

const KEY = 'sk-test-VALIDATE0123456789abcdef';
const apiKey: Credential = { kind: 'api_key', apiKey: KEY };
const opts = (timeoutMs = 2000) => ({ signal: new AbortController().signal, timeoutMs });
const only = (): Seen => {
  expect(seen).toHaveLength(1);
  return seen[0] as Seen;
};

describe('validateCredential over HTTP', () => {
  it('OpenAI: Bearer auth on GET {api}/models, 200 → VALID', async () => {
    const result = await validateCredential(getProvider(ProviderId.OPENAI), { api: `${base}/v1` }, apiKey, opts());
    expect(result).toEqual({ verdict: { outcome: 'VALID' }, httpStatus: 200 });
    const req = only();
    expect(req.method).toBe('GET');
    expect(req.url).toBe('/v1/models');
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(req.headers['x-api-key']).toBeUndefined();
  });

  it('Anthropic: x-api-key + anthropic-version, 401 body → INVALID with the status', async () => {
    handler = (_req, res) =>
      res
        .writeHead(401, { 'content-type': 'application/json' })
        .end(JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: `invalid x-api-key ${KEY}` } }));
    const result = await validateCredential(getProvider(ProviderId.ANTHROPIC), { api: `${base}/v1` }, apiKey, opts());
    expect(result).toEqual({ verdict: { outcome: 'INVALID', error: '401 from Anthropic: authentication_error' }, httpStatus: 401 });
    const req = only();
    expect(req.url).toBe('/v1/models?limit=1');
    expect(req.headers['x-api-key']).toBe(KEY);
    expect(req.headers['anthropic-version']).toBe('2023-06-01');
    expect(req.headers.authorization).toBeUndefined();
  });

  it('Google: key in x-goog-api-key, never in the URL', async () => {
    await validateCredential(getProvider(ProviderId.GOOGLE), { api: `${base}/v1beta` }, apiKey, opts());
    const req = only();
    expect(req.headers['x-goog-api-key']).toBe(KEY);
    expect(req.url).not.toContain(KEY);
    expect(req.url.startsWith('/v1beta/models')).toBe(true);
  });

  it('Chutes: checks the account host, not the inference host', async () => {
    const result = await validateCredential(
      getProvider(ProviderId.CHUTES),
      { api: 'http://127.0.0.1:9/unused', account: base },
      apiKey,
      opts(),
    );
    expect(result.verdict.outcome).toBe('VALID');
    expect(only().url).toBe('/users/me');
  });

  it('Codestral: POSTs its JSON check body', async () => {
    await validateCredential(getProvider(ProviderId.CODESTRAL), { api: `${base}/v1` }, apiKey, opts());
    const req = only();
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/v1/fim/completions');
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body)).toMatchObject({ max_tokens: 1 });
  });

  it('sends operator headers, but they cannot replace the key', async () => {
    await validateCredential(getProvider(ProviderId.KIMI_CODING), { api: base }, apiKey, {
      ...opts(),
      extraHeaders: { 'User-Agent': 'Kilo-Code/5.12', Authorization: 'Bearer other' },
    });
    const req = only();
    expect(req.headers['user-agent']).toBe('Kilo-Code/5.12');
    expect(req.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('quirks apply to real answers: Kimi Code 403 access_terminated_error → VALID', async () => {
    handler = (_req, res) =>
      res.writeHead(403).end(JSON.stringify({ error: { message: 'only Coding Agents', type: 'access_terminated_error' } }));
    const result = await validateCredential(getProvider(ProviderId.KIMI_CODING), { api: base }, apiKey, opts());
    expect(result.verdict.outcome).toBe('VALID');
    expect(result.httpStatus).toBe(403);
  });

  it('5xx → RETRY with the status', async () => {
    handler = (_req, res) => res.writeHead(503).end('busy');
    const result = await validateCredential(getProvider(ProviderId.MISTRAL), { api: base }, apiKey, opts());
    expect(result).toEqual({ verdict: { outcome: 'RETRY', error: '503 from Mistral AI' }, httpStatus: 503 });
  });

  it('does not follow redirects (a redirect could carry the key elsewhere)', async () => {
    handler = (req, res) => {
      if (req.url === '/elsewhere') res.writeHead(200).end('{}');
      else res.writeHead(302, { location: `${base}/elsewhere` }).end();
    };
    const result = await validateCredential(getProvider(ProviderId.MINIMAX), { api: base }, apiKey, opts());
    expect(result.verdict.outcome).toBe('RETRY');
    expect(seen.map((s) => s.url)).toEqual(['/models']);
  });

  it('a hanging upstream → RETRY after the timeout', async () => {
    handler = hang;
    const started = Date.now();
    const result = await validateCredential(getProvider(ProviderId.OPENAI), { api: base }, apiKey, opts(300));
    expect(result.verdict).toEqual({ outcome: 'RETRY', error: 'timed out after 300 ms' });
    expect(result.httpStatus).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a refused connection → RETRY "connect ECONNREFUSED", without the URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await validateCredential(getProvider(ProviderId.OPENAI), { api: `http://127.0.0.1:${port}/v1` }, apiKey, opts());
    expect(result.verdict).toEqual({ outcome: 'RETRY', error: 'connect ECONNREFUSED' });
  });

  it('the caller aborting → RETRY "validation aborted"', async () => {
    handler = hang;
    const controller = new AbortController();
    const pending = validateCredential(getProvider(ProviderId.OPENAI), { api: base }, apiKey, {
      signal: controller.signal,
      timeoutMs: 5000,
    });
    setTimeout(() => controller.abort(), 50);
    expect((await pending).verdict).toEqual({ outcome: 'RETRY', error: 'validation aborted' });
  });

  it('scrubs the key even from a classifier that echoes the body', async () => {
    const openai = getProvider(ProviderId.OPENAI);
    const careless: ProviderDeclaration = {
      ...openai,
      validation: { method: 'GET', base: 'api', path: '/models', classify: (_s, body) => ({ outcome: 'INVALID', error: body }) },
    };
    handler = (_req, res) => res.writeHead(401).end(`bad key ${KEY}`);
    const result = await validateCredential(careless, { api: base }, apiKey, opts());
    expect(result.verdict).toEqual({ outcome: 'INVALID', error: 'bad key [REDACTED]' });
  });

  it('refuses AWS credentials for an API-key provider without calling it', async () => {
    const aws: Credential = { kind: 'aws', accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 's', region: 'us-east-1' };
    const result = await validateCredential(getProvider(ProviderId.OPENAI), { api: base }, aws, opts());
    expect(result.verdict.outcome).toBe('INVALID');
    expect(seen).toHaveLength(0);
  });
});

describe('validateCredential with STS (Bedrock)', () => {
  const aws: Credential = {
    kind: 'aws',
    accessKeyId: 'AKIAGOODEXAMPLE12345',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    sessionToken: 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN',
    region: 'eu-west-3',
  };
  const bedrock = getProvider(ProviderId.BEDROCK);
  const stsXml = (status: number, xml: string): Handler => (_req, res) =>
    res.writeHead(status, { 'content-type': 'text/xml' }).end(xml);

  it('a signed GetCallerIdentity that succeeds → VALID', async () => {
    handler = stsXml(
      200,
      `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>
        <Arn>arn:aws:iam::123456789012:user/dev</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account>
      </GetCallerIdentityResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
    );
    const result = await validateCredential(bedrock, { api: 'unused', account: base }, aws, opts());
    expect(result).toEqual({ verdict: { outcome: 'VALID' }, httpStatus: 200 });
    const req = only();
    expect(req.method).toBe('POST');
    expect(req.body).toContain('Action=GetCallerIdentity');
    expect(req.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAGOODEXAMPLE12345\/\d{8}\/eu-west-3\/sts\/aws4_request/);
    expect(req.headers['x-amz-security-token']).toBe(aws.sessionToken);
  });

  it.each(['InvalidClientTokenId', 'SignatureDoesNotMatch', 'ExpiredToken'])('403 %s → INVALID', async (code) => {
    handler = stsXml(
      403,
      `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code>
        <Message>The security token included in the request is invalid.</Message></Error><RequestId>r2</RequestId></ErrorResponse>`,
    );
    const result = await validateCredential(bedrock, { api: 'unused', account: base }, aws, opts());
    expect(result).toEqual({ verdict: { outcome: 'INVALID', error: `403 from AWS STS: ${code}` }, httpStatus: 403 });
  });

  it('throttling and 5xx → RETRY', async () => {
    handler = stsXml(
      400,
      '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r3</RequestId></ErrorResponse>',
    );
    expect((await validateCredential(bedrock, { api: 'unused', account: base }, aws, opts())).verdict).toEqual({
      outcome: 'RETRY',
      error: '400 from AWS STS: Throttling',
    });
    handler = (_req, res) => res.writeHead(500).end('');
    expect((await validateCredential(bedrock, { api: 'unused', account: base }, aws, opts())).verdict.outcome).toBe('RETRY');
  });

  it('a hanging STS → RETRY after the timeout', async () => {
    handler = hang;
    const result = await validateCredential(bedrock, { api: 'unused', account: base }, aws, opts(300));
    expect(result.verdict.outcome).toBe('RETRY');
    expect(result.verdict.outcome === 'RETRY' && result.verdict.error).toMatch(/timed out/);
  });

  it('an unsafe region → INVALID without any request', async () => {
    const evil: Credential = { ...aws, region: 'evil.example.com/x#' };
    const result = await validateCredential(bedrock, bedrock.defaultEndpoints, evil, opts());
    expect(result.verdict).toEqual({ outcome: 'INVALID', error: 'invalid AWS region' });
    expect(seen).toHaveLength(0);
  });

  it('an API key for Bedrock → INVALID', async () => {
    expect((await validateCredential(bedrock, { api: 'unused', account: base }, apiKey, opts())).verdict.outcome).toBe('INVALID');
  });
});

describe('endpoint templates', () => {
  const aws: Credential = { kind: 'aws', accessKeyId: 'A', secretAccessKey: 'B', region: 'ap-southeast-2' };

  it('substitutes the credential region', () => {
    expect(resolveEndpointUrl('https://bedrock-runtime.{region}.amazonaws.com', aws)).toBe(
      'https://bedrock-runtime.ap-southeast-2.amazonaws.com',
    );
    expect(resolveEndpoints(getProvider(ProviderId.BEDROCK).defaultEndpoints, aws)).toEqual({
      api: 'https://bedrock-runtime.ap-southeast-2.amazonaws.com',
      account: 'https://sts.ap-southeast-2.amazonaws.com',
    });
  });

  it('leaves templates without a placeholder alone and defaults API keys to us-east-1', () => {
    expect(resolveEndpointUrl('http://127.0.0.1:4010', aws)).toBe('http://127.0.0.1:4010');
    expect(resolveEndpointUrl('https://sts.{region}.amazonaws.com', apiKey)).toBe('https://sts.us-east-1.amazonaws.com');
  });

  it('rejects regions that could redirect signed traffic', () => {
    expect(() => resolveEndpointUrl('https://sts.{region}.amazonaws.com', { ...aws, region: 'attacker.com#' })).toThrow('invalid AWS region');
    for (const r of ['us-east-1', 'us-gov-west-1', 'eu-central-1', 'ap-southeast-7', 'cn-north-1']) expect(isValidAwsRegion(r)).toBe(true);
    for (const r of ['', 'US-EAST-1', 'us-east-1.evil.com', 'localhost', 'us-east']) expect(isValidAwsRegion(r)).toBe(false);
  });
});
