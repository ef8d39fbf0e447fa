import { secretForms } from './secret-forms';

/** What replaces a secret in text and in redacted log fields. */
export const REDACTED = '[REDACTED]';

/**
 * Field names that hold secrets wherever they appear. Pino's `*` matches exactly one level,
 * so each name is listed at the top level and one and two levels down.
 */
const SECRET_FIELDS = [
  'apiKey',
  'api_key',
  'secretAccessKey',
  'sessionToken',
  'token',
  'accessToken',
  'refreshToken',
  'password',
  'authorization',
  'Authorization',
  'credential',
  'awsCredentials',
  'plaintext',
];

/** Headers that carry credentials: bearer, Anthropic `x-api-key`, Gemini `x-goog-api-key`. */
const SECRET_HEADERS = [
  'authorization',
  'Authorization',
  '["x-api-key"]',
  '["x-goog-api-key"]',
  'cookie',
  '["set-cookie"]',
  '["proxy-authorization"]',
];

/** Where header maps turn up: pino-http's req/res, fetch init objects, upstream error context. */
const HEADER_CONTAINERS = ['headers', 'req.headers', 'res.headers', '*.headers', '*.*.headers'];

function headerPaths(): string[] {
  const paths: string[] = [];
  for (const header of SECRET_HEADERS) {
    const joint = header.startsWith('[') ? '' : '.';
    for (const base of HEADER_CONTAINERS) {
      paths.push(`${base}${joint}${header}`);
    }
  }
  return paths;
}

/**
 * Paths for pino's `redact` option. Covers secret-named fields at any of the first three
 * levels, credential headers on requests and responses, the graphql-ws `connectionParams`,
 * and the GraphQL variables of the key-creating mutations.
 */
export const REDACT_PATHS: string[] = [
  ...SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
  ...headerPaths(),
  'connectionParams.authorization',
  'connectionParams.Authorization',
  '*.connectionParams.authorization',
  '*.connectionParams.Authorization',
  'variables.input.apiKey',
  'variables.input.awsCredentials',
  '*.variables.input.apiKey',
  '*.variables.input.awsCredentials',
];

/**
 * Scrubs known secrets out of free text, typically an upstream error body that may echo the
 * key, before it is logged or stored. Each secret is replaced in every form
 * {@link secretForms} knows, plus the forms a body quotes it in: URL-encoded (keys travel in
 * query strings, and so does base64), JSON-escaped (quotes, backslashes, `/` written as `\/`) and XML-escaped
 * (AWS query APIs answer in XML).
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret === '') continue;
    for (const form of secretForms(secret)) {
      forms.add(form);
      forms.add(encodeURIComponent(form));
    }
    const json = JSON.stringify(secret).slice(1, -1);
    forms.add(json);
    forms.add(json.replace(/\//g, '\\/'));
    forms.add(secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'));
  }
  // Longest first, so a short form never splits a longer one and leaves part of it behind.
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  return ordered.reduce((result, form) => result.split(form).join(REDACTED), text);
}

/** `scheme://` then the rest of the URL. */
const URL_WITH_AUTHORITY = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)(.*)$/s;
/** A host:port authority, i.e. the `:` there is not a password separator. */
const PORT_AFTER_COLON = /:\d*$/;

/**
 * Masks the password in a URL (`postgres://user:pw@host` → `postgres://user:***@host`) so
 * connection strings can be logged. URLs without a password come back unchanged, and so does
 * anything that does not look like a URL: this runs while reporting other errors and must not
 * throw. A password containing an unencoded `/` or `@` is still masked in full.
 */
export function maskUrlPassword(url: string): string {
  const match = URL_WITH_AUTHORITY.exec(url);
  const scheme = match?.[1];
  const rest = match?.[2];
  if (scheme === undefined || rest === undefined) return url;

  const authorityEnd = firstIndexOf(rest, /[/?#]/);
  const authority = rest.slice(0, authorityEnd);
  let at = authority.lastIndexOf('@');
  if (at < 0 && looksLikeUserinfo(authority)) {
    // `user:pa/ss@host`: the unencoded `/` ended the authority early. Userinfo runs to the
    // last `@` before the query, so the whole password is covered.
    at = rest.slice(0, firstIndexOf(rest, /[?#]/)).lastIndexOf('@');
  }
  if (at < 0) return url;

  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(':');
  if (colon < 0 || colon === userinfo.length - 1) return url;
  return `${scheme}${userinfo.slice(0, colon + 1)}***${rest.slice(at)}`;
}

/** An authority without `@` that is not `host`, `host:port` or an IPv6 literal. */
function looksLikeUserinfo(authority: string): boolean {
  return authority.includes(':') && !authority.startsWith('[') && !PORT_AFTER_COLON.test(authority);
}

function firstIndexOf(text: string, pattern: RegExp): number {
  const index = text.search(pattern);
  return index < 0 ? text.length : index;
}
