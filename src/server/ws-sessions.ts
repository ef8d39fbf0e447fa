import type { WebSocket } from 'ws';
import type { UserPrincipal } from '../auth/principal';

/** One authenticated graphql-ws connection. */
export interface WsSession {
  socket: WebSocket;
  principal: UserPrincipal;
  /** The Authorization value it connected with (re-checked; never logged). */
  authorization: unknown;
  /** graphql-ws's live map of the connection's operations (replaced on close, so read it through this). */
  operations(): number;
}

/**
 * The open sockets of this instance by token and by user: to close every socket of a revoked
 * token, and to count a user's subscriptions across their sockets without bookkeeping that
 * could drift (each socket's own operation map is the count).
 */
export class WsSessions {
  private readonly byToken = new Map<string, Set<WsSession>>();
  private readonly byUser = new Map<string, Set<WsSession>>();

  add(s: WsSession): void {
    addTo(this.byToken, s.principal.tokenId, s);
    addTo(this.byUser, s.principal.userId, s);
  }

  remove(s: WsSession): void {
    removeFrom(this.byToken, s.principal.tokenId, s);
    removeFrom(this.byUser, s.principal.userId, s);
  }

  /** Operations open on all of the user's sockets on this instance. */
  operationsOfUser(userId: string): number {
    let n = 0;
    for (const s of this.byUser.get(userId) ?? []) n += s.operations();
    return n;
  }

  /** Every open session (a copy: callers may close sockets while iterating). */
  all(): WsSession[] {
    return [...this.byToken.values()].flatMap((set) => [...set]);
  }

  /** Closes (and forgets) every socket authenticated with the token. */
  closeToken(tokenId: string, code: number, reason: string): number {
    const sessions = [...(this.byToken.get(tokenId) ?? [])];
    for (const s of sessions) {
      this.remove(s);
      s.socket.close(code, reason);
    }
    return sessions.length;
  }
}

function addTo(map: Map<string, Set<WsSession>>, key: string, s: WsSession): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(s);
}

function removeFrom(map: Map<string, Set<WsSession>>, key: string, s: WsSession): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(s);
  if (set.size === 0) map.delete(key);
}
