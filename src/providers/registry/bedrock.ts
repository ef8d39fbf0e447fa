import { describeUpstreamError, parseUpstreamErrorBody } from '../errors';
import { ApiDialect, CredentialFormat, ProviderId, ProviderKind } from '../types';
import type { ProviderDeclaration, UpstreamErrorInfo } from '../types';

const NAME = 'AWS Bedrock';

/**
 * A 403 AccessDeniedException means the credentials are fine but lack Bedrock IAM permission or
 * model access (providers.md §1.4 "Common errors"): invalidating the key would be wrong, the
 * owner has to grant access. Bad credentials (UnrecognizedClientException, expired token,
 * signature mismatch) fall through to the default 403 → BYOK_KEY_INVALID.
 */
function mapBedrockError(status: number, body: string): UpstreamErrorInfo | undefined {
  if (status !== 403) return undefined;
  const f = parseUpstreamErrorBody(body);
  const text = `${f.type ?? ''} ${f.code ?? ''} ${f.message ?? ''}`;
  if (!/AccessDenied|don't have access|not authorized to perform/i.test(text)) return undefined;
  const detail = describeUpstreamError(body);
  return {
    code: 'UPSTREAM_ERROR',
    message: `${NAME}: the credentials lack access to this model (AccessDeniedException)${detail ? `: ${detail}` : ''}`,
    retryable: false,
  };
}

/** Bedrock ConverseStream with SigV4 credentials (providers.md §1.4, §2.2). */
export const bedrockProvider = {
  id: ProviderId.BEDROCK,
  slug: 'bedrock',
  name: NAME,
  kind: ProviderKind.STANDARD,
  dialect: ApiDialect.BEDROCK_CONVERSE,
  credentialFormat: CredentialFormat.AWS_CREDENTIALS,
  // `{region}` is replaced at call time from the credential (resolveEndpointUrl in validate.ts).
  defaultEndpoints: {
    api: 'https://bedrock-runtime.{region}.amazonaws.com',
    account: 'https://sts.{region}.amazonaws.com',
  },
  auth: { type: 'sigv4' },
  // STS GetCallerIdentity needs no permission and proves key id + secret + session token; it
  // does not prove Bedrock access (§1.4 "Cheap credential validation").
  validation: { type: 'sts' },
  mapError: mapBedrockError,
  notes:
    'providers.md §1.4, §2.2. SigV4 (service bedrock) with the key\'s region; binary event-stream ' +
    'responses; Claude 4.x needs inference-profile ids (us.anthropic.…). Bad credentials: 403 ' +
    'UnrecognizedClientException. Bedrock API (bearer) keys are not supported: STS cannot check them.',
} satisfies ProviderDeclaration;
