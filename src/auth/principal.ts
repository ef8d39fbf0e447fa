/** Who is calling. Resolved once per HTTP request or WebSocket connection. */
export type Principal =
  | { kind: 'user'; userId: string; tokenId: string }
  /** The platform admin token (ADMIN_TOKEN): may only create users. */
  | { kind: 'admin' }
  /** No token, or one we could not accept; `reason` says why for the UNAUTHENTICATED error. */
  | { kind: 'anonymous'; reason: string };

export type UserPrincipal = Extract<Principal, { kind: 'user' }>;
