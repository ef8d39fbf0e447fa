import { GraphQLError } from 'graphql';
import { CloseCode } from 'graphql-ws';
import type { WebSocket } from 'ws';
import type { Principal } from '../auth/principal';
import type { TokenRevocations } from '../auth/token-revocations';
import { WsSessions, type WsSession } from './ws-sessions';

/** Close code for a socket whose token was revoked after it connected. */
export const REVOKED_CLOSE = CloseCode.Forbidden; // 4403
export const REVOKED_REASON = 'Forbidden: this API token was revoked';

/** What a connection keeps between operations (on graphql-ws's `ctx.extra`). */
export interface AdmissionState {
  /** The connection's Authorization value, re-checked (through the token cache) on every operation. */
  authorization?: unknown;
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

  constructor(
    private readonly deps: {
      authenticate: (authorization: unknown) => Promise<Principal>;
      revocations: TokenRevocations;
      limits: { socket: number; user: number };
    },
  ) {
    this.unlisten = deps.revocations.onRevoked((tokenId) => this.sessions.closeToken(tokenId, REVOKED_CLOSE, REVOKED_REASON));
  }

  /** connection_init: the principal, registered with its socket when it is a user. */
  async connect(state: AdmissionState, socket: WebSocket, authorization: unknown, operations: () => number): Promise<Principal> {
    const principal = await this.deps.authenticate(authorization);
    state.authorization = authorization;
    state.principal = principal;
    if (principal.kind === 'user') {
      state.session = { socket, principal, operations };
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
  async admit(state: AdmissionState): Promise<readonly GraphQLError[] | undefined> {
    const session = state.session;
    if (!session) return [coded('UNAUTHENTICATED', 'Not connected')];
    const principal = await this.deps.authenticate(state.authorization);
    if (principal.kind !== 'user' || principal.tokenId !== session.principal.tokenId) {
      // Revoked while this instance missed the announcement (or it has not arrived yet).
      this.sessions.remove(session);
      session.socket.close(REVOKED_CLOSE, REVOKED_REASON);
      return [coded('UNAUTHENTICATED', principal.kind === 'anonymous' ? principal.reason : 'This API token is no longer valid')];
    }
    const { socket: perSocket, user: perUser } = this.deps.limits;
    if (session.operations() > perSocket) {
      return [coded('RATE_LIMITED', `At most ${perSocket} subscriptions may be open on one connection`, 'subscriptionsPerSocket')];
    }
    if (this.sessions.operationsOfUser(principal.userId) > perUser) {
      return [coded('RATE_LIMITED', `At most ${perUser} subscriptions may be open per user`, 'subscriptionsPerUser')];
    }
    return undefined;
  }

  dispose(): void {
    this.unlisten();
  }
}

function coded(code: string, message: string, limit?: string): GraphQLError {
  return new GraphQLError(message, { extensions: limit ? { code, limit } : { code } });
}
