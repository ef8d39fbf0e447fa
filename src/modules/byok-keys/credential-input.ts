import { badInput } from '../../errors/app-error';
import { CredentialFormat, type Credential, type ProviderDeclaration } from '../../providers/types';

export interface RawAwsCredentials {
  accessKeyId?: unknown;
  secretAccessKey?: unknown;
  sessionToken?: unknown;
  region?: unknown;
}

export interface RawCredentialInput {
  apiKey?: string | null;
  awsCredentials?: RawAwsCredentials | null;
}

const PRINTABLE = /^[\x21-\x7e]+$/;
const API_KEY_MIN = 8;
const API_KEY_MAX = 1024;
const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;
/** us-east-1, eu-central-2, ap-southeast-4, us-gov-west-1, cn-north-1, il-central-1 … */
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

/**
 * Turns `apiKey` / `awsCredentials` into a Credential for the provider's credential format, or
 * BAD_USER_INPUT naming the field. Messages never echo the submitted value.
 */
export function parseCredential(provider: ProviderDeclaration, input: RawCredentialInput): Credential {
  const hasKey = input.apiKey !== undefined && input.apiKey !== null;
  const hasAws = input.awsCredentials !== undefined && input.awsCredentials !== null;
  if (hasKey === hasAws) {
    const which = provider.credentialFormat === CredentialFormat.AWS_CREDENTIALS ? 'awsCredentials' : 'apiKey';
    throw badInput(`Provide exactly one of apiKey or awsCredentials (${provider.name} takes ${which})`, which);
  }
  if (provider.credentialFormat === CredentialFormat.API_KEY) {
    if (hasAws) throw badInput(`${provider.name} takes an apiKey, not awsCredentials`, 'awsCredentials');
    return { kind: 'api_key', apiKey: parseApiKey(input.apiKey as string) };
  }
  if (hasAws) return parseAws(input.awsCredentials as RawAwsCredentials, 'awsCredentials');
  // The product's docs tell Bedrock users to paste the credentials JSON into apiKey.
  let parsed: unknown;
  try {
    parsed = JSON.parse((input.apiKey as string).trim());
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw badInput(
      `${provider.name} takes AWS credentials: awsCredentials {accessKeyId, secretAccessKey, region}, ` +
        'or the same JSON object in apiKey',
      'apiKey',
    );
  }
  return parseAws(parsed as RawAwsCredentials, 'apiKey');
}

function parseApiKey(raw: string): string {
  const key = raw.trim();
  if (key.length < API_KEY_MIN) throw badInput(`apiKey is too short (at least ${API_KEY_MIN} characters)`, 'apiKey');
  if (key.length > API_KEY_MAX) throw badInput(`apiKey is too long (at most ${API_KEY_MAX} characters)`, 'apiKey');
  if (!PRINTABLE.test(key)) {
    throw badInput('apiKey may only contain printable ASCII characters without spaces or line breaks', 'apiKey');
  }
  return key;
}

function parseAws(raw: RawAwsCredentials, field: string): Credential {
  const str = (name: keyof RawAwsCredentials, required: boolean): string | undefined => {
    const v = raw[name];
    if (v === undefined || v === null || v === '') {
      if (required) throw badInput(`${field}.${name} is missing`, `${field}.${name}`);
      return undefined;
    }
    if (typeof v !== 'string') throw badInput(`${field}.${name} must be a string`, `${field}.${name}`);
    return v.trim();
  };
  const accessKeyId = str('accessKeyId', true)!;
  const secretAccessKey = str('secretAccessKey', true)!;
  const region = str('region', true)!;
  const sessionToken = str('sessionToken', false);
  if (!ACCESS_KEY_ID.test(accessKeyId)) {
    throw badInput(`${field}.accessKeyId must be 16-128 upper-case letters and digits (e.g. AKIA…)`, `${field}.accessKeyId`);
  }
  if (secretAccessKey.length < 16 || secretAccessKey.length > 256 || !PRINTABLE.test(secretAccessKey)) {
    throw badInput(`${field}.secretAccessKey must be 16-256 printable characters`, `${field}.secretAccessKey`);
  }
  if (!REGION.test(region)) throw badInput(`${field}.region is not an AWS region such as us-east-1`, `${field}.region`);
  if (sessionToken !== undefined && (sessionToken.length > 4096 || !PRINTABLE.test(sessionToken))) {
    throw badInput(`${field}.sessionToken must be at most 4096 printable characters`, `${field}.sessionToken`);
  }
  return { kind: 'aws', accessKeyId, secretAccessKey, region, ...(sessionToken ? { sessionToken } : {}) };
}
