/** Reads the credential a request presents, in the style its provider expects. */
import type { IncomingHttpHeaders } from 'node:http';

import type { MockAuthStyle } from './routes';

export interface SigV4Credential {
  accessKeyId: string;
  /** yyyymmdd */
  date: string;
  region: string;
  service: string;
}

export type PresentedCredential =
  | { ok: true; key: string; sigv4?: SigV4Credential }
  /** Nothing in the expected place (possibly something in another header: wrong style). */
  | { ok: false; wrongStyle: boolean };

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

const SIGV4 =
  /^AWS4-HMAC-SHA256 Credential=([A-Z0-9]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, ?SignedHeaders=[a-z0-9;-]+, ?Signature=[0-9a-f]{64}$/;

export function parseSigV4(authorization: string | undefined): SigV4Credential | undefined {
  const m = authorization === undefined ? null : SIGV4.exec(authorization);
  if (!m) return undefined;
  return { accessKeyId: m[1] ?? '', date: m[2] ?? '', region: m[3] ?? '', service: m[4] ?? '' };
}

export function presentedCredential(style: MockAuthStyle, headers: IncomingHttpHeaders): PresentedCredential {
  const authorization = header(headers, 'authorization');
  const anyKeyHeader = ['x-api-key', 'x-goog-api-key', 'api-key'].some((h) => header(headers, h) !== undefined);
  switch (style) {
    case 'bearer': {
      const m = authorization === undefined ? null : /^Bearer (\S+)$/i.exec(authorization);
      return m ? { ok: true, key: m[1] ?? '' } : { ok: false, wrongStyle: authorization !== undefined || anyKeyHeader };
    }
    case 'x-api-key':
    case 'x-goog-api-key': {
      const key = header(headers, style);
      return key ? { ok: true, key } : { ok: false, wrongStyle: authorization !== undefined || anyKeyHeader };
    }
    case 'sigv4': {
      const cred = parseSigV4(authorization);
      // The SDK signs x-amz-date; a SigV4 header without it is not a real signature.
      if (!cred || header(headers, 'x-amz-date') === undefined) {
        return { ok: false, wrongStyle: authorization !== undefined || anyKeyHeader };
      }
      return { ok: true, key: cred.accessKeyId, sigv4: cred };
    }
  }
}
