import type { IncomingMessage } from 'node:http';
import type { UserPrincipal } from '../auth/principal';
import { AppError, badInput, unauthenticated } from '../errors/app-error';
import type { Services } from '../composition/services';

/** Who calls a REST door, and in which owner's context. */
export interface RestCaller {
  principal: UserPrincipal;
  /**
   * From `X-Organization-Id` (alias `X-KiloCode-OrganizationId`, which Kilo Code sends). Not
   * checked here: membership is checked where the organization is used (routing, model lists),
   * so a request costs one membership lookup, not two; a non-member gets NOT_FOUND there.
   */
  organizationId: string | null;
}

export interface RestAuthOptions {
  /** The Anthropic door also takes the token in `x-api-key` (what Anthropic SDKs send). */
  apiKeyHeader?: boolean;
}

/**
 * The caller of a REST request: the same API tokens as GraphQL, through the same authenticator
 * (services.apiTokens.authenticate, cached, revocation-aware), so REST and GraphQL can never
 * disagree about a token. UNAUTHENTICATED for a missing, unknown or revoked token; FORBIDDEN for
 * the platform admin token, which may only create users.
 */
export async function restCaller(services: Services, req: IncomingMessage, opts: RestAuthOptions = {}): Promise<RestCaller> {
  const principal = await services.apiTokens.authenticate(authorization(req, opts));
  if (principal.kind === 'anonymous') throw unauthenticated(principal.reason);
  if (principal.kind === 'admin') throw new AppError('FORBIDDEN', 'The admin token can only create users; use a user API token');
  return { principal, organizationId: organizationHeader(req) };
}

function authorization(req: IncomingMessage, opts: RestAuthOptions): string | undefined {
  const header = req.headers.authorization;
  if (header !== undefined && header !== '') return header;
  if (!opts.apiKeyHeader) return undefined;
  const key = req.headers['x-api-key'];
  // The authenticator parses one header shape; an x-api-key value is the bare token.
  return typeof key === 'string' && key.trim() !== '' ? `Bearer ${key.trim()}` : undefined;
}

function organizationHeader(req: IncomingMessage): string | null {
  const primary = single(req.headers['x-organization-id'], 'X-Organization-Id');
  const kilo = single(req.headers['x-kilocode-organizationid'], 'X-KiloCode-OrganizationId');
  if (primary !== null && kilo !== null && primary !== kilo) {
    throw badInput('X-Organization-Id and X-KiloCode-OrganizationId name different organizations', 'X-Organization-Id');
  }
  return primary ?? kilo;
}

function single(value: string | string[] | undefined, name: string): string | null {
  if (value === undefined) return null;
  if (Array.isArray(value)) throw badInput(`${name} may be sent once`, name);
  const v = value.trim();
  return v === '' ? null : v;
}
