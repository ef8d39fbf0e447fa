import { GraphQLError } from 'graphql';
import { CloseCode } from 'graphql-ws';
import type { WebSocket } from 'ws';
import type { Principal } from '../auth/principal';
import { AppError } from '../errors/app-error';
import type { TokenRevocations } from '../auth/token-revocations';
import { WsSessions, type WsSession } from './ws-sessions';

/** Close code for a socket whose token was revoked after it connected. */
export const REVOKED_CLOSE = CloseCode.Forbidden; // 4403
export const REVOKED_REASON = 'Forbidden: this API token was revoked';

/** What a connection keeps between operations (on graphql-ws's `ctx.extra`). */
export interface AdmissionState {
  principal?: Principal;
  session?: WsSession;
}

/**
 * Who may run an operation on an open socket, decided per operation: the token must still be
 * valid (a revoked one closes the socket with 4403), and the socket and its user stay within
 * their subscription limits. Also closes every socket of a token revoked on any instance.
 */
export class WsAdmission {
  private readonly sessions = new WsSessions();
  private readonly unlisten: () => void;
  private readonly sweeper: NodeJS.Timeout;
  /** The limits' refusals, made once: an error's stack is captured when it is made, per refusal otherwise. */
  private readonly socketFull: GraphQLError;
  private readonly userFull: GraphQLError;

  constructor(
    private readonly deps: {
      authenticate: (authorization: unknown) => Promise<Principal>;
      revocations: TokenRevocations;
      limits: { socket: number; user: number };
      /** How often open sockets' tokens are re-checked (the token cache's TTL). */
      recheckEveryMs: number;
    },
  ) {
    this.unlisten = deps.revocations.onRevoked((tokenId) => this.sessions.closeToken(tokenId, REVOKED_CLOSE, REVOKED_REASON));
    // A socket that only holds a long subscription sends no new operation to be checked on: if a
    // revocation message was lost, this finds it once the cached lookup expires.
    this.sweeper = setInterval(() => void this.sweep(), Math.max(deps.recheckEveryMs, 1000));
    this.sweeper.unref();
    this.socketFull = coded('RATE_LIMITED', `At most ${deps.limits.socket} subscriptions may be open on one connection`, 'subscriptionsPerSocket');
    this.userFull = coded('RATE_LIMITED', `At most ${deps.limits.user} subscriptions may be open per user`, 'subscriptionsPerUser');
  }

  /** connection_init: the principal, registered with its socket when it is a user. */
  async connect(state: AdmissionState, socket: WebSocket, authorization: unknown, operations: () => number): Promise<Principal> {
    const principal = await this.deps.authenticate(authorization);
    state.principal = principal;
    if (principal.kind === 'user') {
      state.session = { socket, principal, authorization, operations };
      this.sessions.add(state.session);
    }
    return principal;
  }

  disconnect(state: AdmissionState): void {
    if (state.session) this.sessions.remove(state.session);
  }

  /**
   * Before each operation (graphql-ws has already counted it in the socket's operations):
   * errors to send instead of running it, or undefined to go ahead.
   */
  private async sweep(): Promise<void> {
    const checked = new Map<unknown, Promise<Principal>>();
    for (const s of this.sessions.all()) {
      const authorization = s.authorization;
      let p = checked.get(authorization);
      if (!p) checked.set(authorization, (p = this.deps.authenticate(authorization).catch(() => s.principal)));
      const principal = await p;
      if (principal.kind !== 'user' || principal.tokenId !== s.principal.tokenId) this.refuse(s);
    }
  }

  private refuse(s: WsSession): void {
    this.sessions.remove(s);
    s.socket.close(REVOKED_CLOSE, REVOKED_REASON);
  }

  async admit(state: AdmissionState): Promise<readonly GraphQLError[] | undefined> {
    const session = state.session;
    if (!session) return [coded('UNAUTHENTICATED', 'Not connected')];
    // First, and without the token: a socket over its limit is a count away from its answer. A
    // subscription flood (hundreds of subscribes a socket) is refused at the cost of a lookup.
    if (session.operations() > this.deps.limits.socket) return [this.socketFull];
    // Through the token cache: no SQL unless the lookup expired.
    let principal: Principal;
    try {
      principal = await this.deps.authenticate(session.authorization);
    } catch (err) {
      // UNAVAILABLE (Postgres down, the lookup older than OUTAGE_STALE_MAX): this operation is
      // refused with it; the socket stays open for a retry.
      if (err instanceof AppError) return [new GraphQLError(err.message, { extensions: { ...err.extensions, code: err.code } })];
      throw err;
    }
    if (principal.kind !== 'user' || principal.tokenId !== session.principal.tokenId) {
      // Revoked while this instance missed the announcement (or it has not arrived yet).
      this.refuse(session);
      return [coded('UNAUTHENTICATED', principal.kind === 'anonymous' ? principal.reason : 'This API token is no longer valid')];
    }
    if (this.sessions.operationsOfUser(principal.userId) > this.deps.limits.user) return [this.userFull];
    return undefined;
  }

  dispose(): void {
    clearInterval(this.sweeper);
    this.unlisten();
  }
}

function coded(code: string, message: string, limit?: string): GraphQLError {
  return new GraphQLError(message, { extensions: limit ? { code, limit } : { code } });
}
