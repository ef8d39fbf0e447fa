/** The real AWS SDK clients against the mock: STS GetCallerIdentity and Bedrock ConverseStream. */
import { BedrockRuntimeClient, ConverseStreamCommand, type ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';

import { ProviderId } from '../../../src/providers/types';
import { MIDSTREAM_ERROR_FIXTURES, STREAM_FIXTURES } from '../../fixtures/providers/expectations';
import { type MockUpstream, mockAwsCredentials, startMockUpstream } from '../../support/mock-upstream';

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

function sts(creds: ReturnType<typeof mockAwsCredentials>): STSClient {
  return new STSClient({
    region: creds.region,
    endpoint: mock.env().PROVIDER_ACCOUNT_URL_BEDROCK,
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
  });
}

function bedrock(creds: ReturnType<typeof mockAwsCredentials>): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    region: creds.region,
    endpoint: mock.env().PROVIDER_BASE_URL_BEDROCK,
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
  });
}

describe('AWS SDK against the mock', () => {
  it('STS GetCallerIdentity: good credentials → the caller identity', async () => {
    const client = sts(mockAwsCredentials('good'));
    try {
      const out = await client.send(new GetCallerIdentityCommand({}));
      expect(out.Account).toBe('123456789012');
      expect(out.Arn).toBe('arn:aws:iam::123456789012:user/test');
      const r = await mock.waitForRequest((x) => x.provider === ProviderId.BEDROCK);
      expect(r.endpoint).toBe('validation');
      expect(r.method).toBe('POST');
      expect(String(r.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIA\w{16}\/\d{8}\/us-east-1\/sts\/aws4_request/);
    } finally {
      client.destroy();
    }
  });

  it('STS GetCallerIdentity: bad credentials → InvalidClientTokenId (403)', async () => {
    const client = sts(mockAwsCredentials('bad'));
    try {
      await expect(client.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
        name: 'InvalidClientTokenId',
        $metadata: { httpStatusCode: 403 },
      });
    } finally {
      client.destroy();
    }
  });

  it('ConverseStream: events decode through the SDK; the model id with ":" is routed', async () => {
    const client = bedrock(mockAwsCredentials('good'));
    try {
      const res = await client.send(
        new ConverseStreamCommand({
          modelId: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
          messages: [{ role: 'user', content: [{ text: 'hi' }] }],
        }),
      );
      const events: ConverseStreamOutput[] = [];
      for await (const ev of res.stream ?? []) events.push(ev);
      const text = events.map((e) => e.contentBlockDelta?.delta?.text ?? '').join('');
      expect(text).toBe(STREAM_FIXTURES[ProviderId.BEDROCK].text);
      expect(events.find((e) => e.metadata)?.metadata?.usage?.outputTokens).toBe(STREAM_FIXTURES[ProviderId.BEDROCK].usage.outputTokens);
      const r = await mock.waitForRequest((x) => x.endpoint === 'chat');
      expect(r.path).toBe('/bedrock/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/converse-stream');
      expect(String(r.headers.authorization)).toMatch(/\/us-east-1\/bedrock\/aws4_request/);
    } finally {
      client.destroy();
    }
  });

  it('ConverseStream: bad credentials → UnrecognizedClientException (403)', async () => {
    const client = bedrock(mockAwsCredentials('bad'));
    try {
      await expect(
        client.send(new ConverseStreamCommand({ modelId: 'amazon.nova-2-lite-v1:0', messages: [{ role: 'user', content: [{ text: 'hi' }] }] })),
      ).rejects.toMatchObject({ name: 'UnrecognizedClientException', $metadata: { httpStatusCode: 403 } });
    } finally {
      client.destroy();
    }
  });

  it('ConverseStream: a mid-stream exception frame surfaces while iterating', async () => {
    const client = bedrock(mockAwsCredentials('midstream-error'));
    try {
      const res = await client.send(
        new ConverseStreamCommand({ modelId: 'amazon.nova-2-lite-v1:0', messages: [{ role: 'user', content: [{ text: 'hi' }] }] }),
      );
      const iterate = async (): Promise<void> => {
        for await (const ev of res.stream ?? []) void ev;
      };
      await expect(iterate()).rejects.toMatchObject({ name: MIDSTREAM_ERROR_FIXTURES.BEDROCK_CONVERSE.errorType });
    } finally {
      client.destroy();
    }
  });
});
