import type { AwsCredentials, Provider } from '../../api/operations';
import { field, h } from '../../dom';

export type Credential = { apiKey: string } | { awsCredentials: AwsCredentials };

/** The secret part of a key form: one password field, or Bedrock's AWS credentials. */
export interface CredentialInputs {
  element: HTMLElement;
  /** The credential to send, or a message saying what is missing (nothing is sent then). */
  read(): Credential | string;
  /** Empties every secret field: after a save, nothing typed stays in the page. */
  clear(): void;
  focus(): void;
}

const secretAttrs = { autocomplete: 'off', spellcheck: 'false', autocapitalize: 'off' } as const;

export function credentialInputs(provider: Provider): CredentialInputs {
  return provider.credentialFormat === 'AWS_CREDENTIALS' ? awsInputs() : apiKeyInput(provider);
}

function apiKeyInput(provider: Provider): CredentialInputs {
  const input = h('input', { type: 'password', name: 'apiKey', required: true, ...secretAttrs });
  const element = field(
    `${provider.name} API key`,
    input,
    provider.kind === 'SUBSCRIPTION' ? 'The key of your subscription plan (not a pay-as-you-go key).' : undefined,
  );
  return {
    element,
    read: () => (input.value.trim() ? { apiKey: input.value.trim() } : 'Paste the API key.'),
    clear: () => void (input.value = ''),
    focus: () => input.focus(),
  };
}

/**
 * Bedrock takes AWS credentials, typed as fields or pasted as JSON: either `{accessKeyId, …}` or
 * what `aws sts get-session-token` prints (`{"Credentials": {"AccessKeyId", …}}`).
 */
function awsInputs(): CredentialInputs {
  const accessKeyId = h('input', { type: 'text', name: 'accessKeyId', ...secretAttrs });
  const secretAccessKey = h('input', { type: 'password', name: 'secretAccessKey', ...secretAttrs });
  const region = h('input', { type: 'text', name: 'region', value: 'us-east-1', ...secretAttrs });
  const sessionToken = h('input', { type: 'password', name: 'sessionToken', ...secretAttrs });
  const json = h('textarea', { name: 'awsJson', rows: 5, class: 'secret-text', ...secretAttrs });
  const fields = h(
    'div',
    { class: 'aws-fields' },
    field('Access key ID', accessKeyId),
    field('Secret access key', secretAccessKey),
    field('Region', region),
    field('Session token (optional)', sessionToken),
  );
  const jsonField = field('Credentials JSON', json, 'accessKeyId, secretAccessKey, region, optional sessionToken.');
  jsonField.hidden = true;
  const modeName = `aws-mode-${Math.random().toString(36).slice(2)}`;
  const asFields = h('input', { type: 'radio', name: modeName, value: 'fields', checked: true });
  const asJson = h('input', { type: 'radio', name: modeName, value: 'json' });
  const sync = (): void => {
    fields.hidden = asJson.checked;
    jsonField.hidden = !asJson.checked;
  };
  asFields.addEventListener('change', sync);
  asJson.addEventListener('change', sync);
  const element = h(
    'div',
    { class: 'aws' },
    h(
      'fieldset',
      { class: 'mode' },
      h('legend', {}, 'AWS credentials'),
      h('label', {}, asFields, ' Fields'),
      h('label', {}, asJson, ' Paste JSON'),
    ),
    fields,
    jsonField,
  );
  return {
    element,
    read: () => (asJson.checked ? parseAwsJson(json.value) : fromFields()),
    clear: () => {
      for (const i of [accessKeyId, secretAccessKey, sessionToken]) i.value = '';
      json.value = '';
    },
    focus: () => (asJson.checked ? json : accessKeyId).focus(),
  };

  function fromFields(): Credential | string {
    const c = {
      accessKeyId: accessKeyId.value.trim(),
      secretAccessKey: secretAccessKey.value.trim(),
      region: region.value.trim(),
      sessionToken: sessionToken.value.trim(),
    };
    return complete(c);
  }
}

function complete(c: { accessKeyId?: string; secretAccessKey?: string; region?: string; sessionToken?: string }): Credential | string {
  const missing = (['accessKeyId', 'secretAccessKey', 'region'] as const).filter((k) => !c[k]);
  if (missing.length) return `Missing: ${missing.join(', ')}.`;
  const awsCredentials: AwsCredentials = { accessKeyId: c.accessKeyId!, secretAccessKey: c.secretAccessKey!, region: c.region! };
  if (c.sessionToken) awsCredentials.sessionToken = c.sessionToken;
  return { awsCredentials };
}

function parseAwsJson(text: string): Credential | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Never echo the text: it holds the secret.
    return 'The credentials are not valid JSON.';
  }
  if (!value || typeof value !== 'object') return 'The credentials JSON must be an object.';
  const outer = value as Record<string, unknown>;
  const o = (outer.Credentials && typeof outer.Credentials === 'object' ? outer.Credentials : outer) as Record<string, unknown>;
  const pick = (...names: string[]): string | undefined => {
    for (const n of names) if (typeof o[n] === 'string' || typeof outer[n] === 'string') return String(o[n] ?? outer[n]).trim();
    return undefined;
  };
  return complete({
    accessKeyId: pick('accessKeyId', 'AccessKeyId', 'aws_access_key_id'),
    secretAccessKey: pick('secretAccessKey', 'SecretAccessKey', 'aws_secret_access_key'),
    region: pick('region', 'Region', 'aws_region'),
    sessionToken: pick('sessionToken', 'SessionToken', 'aws_session_token'),
  });
}
