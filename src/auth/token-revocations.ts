import type { Logger } from '../infra/logger';
import type { RedisPubSub } from '../infra/pubsub';

export const TOKEN_REVOKED_TOPIC = 'token-revoked';

/** What instances tell each other when a token is revoked: its id only (never the token). */
export interface TokenRevokedEvent {
  tokenId: string;
}

/**
 * Revocations, heard on every instance: the local handlers (drop the cached lookup, close the
 * token's sockets) run at once on the instance that revoked, and on the others when Redis
 * delivers the message. Handlers must be idempotent: the revoking instance hears its own message.
 */
export class TokenRevocations {
  private readonly handlers = new Set<(tokenId: string) => void>();
  private listening: { close(): void } | undefined;

  constructor(
    private readonly pubsub: RedisPubSub,
    private readonly logger: Logger,
  ) {}

  /** Runs `fn` for each revoked token id; returns the unsubscribe. */
  onRevoked(fn: (tokenId: string) => void): () => void {
    this.handlers.add(fn);
    return () => this.handlers.delete(fn);
  }

  /** Starts hearing other instances' revocations; resolves once Redis confirmed. */
  async start(): Promise<void> {
    if (this.listening) return;
    const l = this.pubsub.listen<TokenRevokedEvent>(TOKEN_REVOKED_TOPIC, (e) => {
      if (typeof e?.tokenId === 'string') this.emit(e.tokenId);
    });
    this.listening = l;
    await l.ready;
  }

  stop(): void {
    this.listening?.close();
    this.listening = undefined;
  }

  /** A token was revoked here: act locally now, then tell the other instances. */
  async revoked(tokenId: string): Promise<void> {
    this.emit(tokenId);
    await this.pubsub.publish(TOKEN_REVOKED_TOPIC, { tokenId } satisfies TokenRevokedEvent).catch((err: Error) => {
      // The row is revoked; other instances notice when their cached lookup expires (AUTH_CACHE_TTL_MS).
      this.logger.warn({ err: err.message, tokenId }, 'could not announce a token revocation');
    });
  }

  private emit(tokenId: string): void {
    for (const fn of this.handlers) {
      try {
        fn(tokenId);
      } catch (err) {
        this.logger.warn({ err: (err as Error).message, tokenId }, 'token revocation handler failed');
      }
    }
  }
}
