import type { UserPrincipal } from '../../auth/principal';
import type { AppConfig } from '../../config/config';
import type { Keyring } from '../../crypto/envelope';
import { AppError } from '../../errors/app-error';
import type { Logger } from '../../infra/logger';
import { anthropicCountTokens } from '../../providers/dialects/anthropic-count-tokens';
import { ProviderId, UpstreamError, type Credential } from '../../providers/types';
import { parseCredential } from '../byok-keys/credential-input';
import { openCredential } from '../byok-keys/key-secrets';
import { providerEndpoints, providerHeaders } from '../providers/endpoints';
import type { Candidate } from '../routing/route';
import type { Router } from '../routing/router';
import type { ChatCompletionInput } from './chat.inputs';
import { chatParams } from './chat-request';

/** A provider's count, with the key that answered; or no count (the caller estimates). */
export type TokenCount = { inputTokens: number; candidate: Candidate } | { inputTokens: undefined };

/**
 * Input tokens of a request, as the provider that would serve it counts them: routed exactly
 * like a completion (same owner, same keys, same order), then asked of the first candidate when
 * it is Anthropic's own API, the only provider with a counting endpoint. No usage record: a
 * count is free and bills nothing.
 */
export class TokenCountService {
  constructor(
    private readonly deps: { router: Router; config: AppConfig; keyring: Keyring; logger: Logger },
  ) {}

  async count(p: UserPrincipal, input: ChatCompletionInput, signal: AbortSignal): Promise<TokenCount> {
    const params = chatParams(input);
    const plan = await this.deps.router.plan(p, input);
    const candidate = plan.candidates[0]!;
    if (candidate.provider.id !== ProviderId.ANTHROPIC) return { inputTokens: undefined };
    try {
      const inputTokens = await anthropicCountTokens({
        ...params,
        provider: candidate.provider,
        endpoints: providerEndpoints(this.deps.config, candidate.provider.id),
        credential: this.credential(candidate),
        upstreamModel: candidate.upstreamModel,
        extraHeaders: providerHeaders(this.deps.config, candidate.provider.id),
        signal,
      });
      return { inputTokens, candidate };
    } catch (err) {
      if (signal.aborted || !(err instanceof UpstreamError)) throw err;
      // A count is advisory (Claude Code sizes its context with it): an estimate beats a failure.
      this.deps.logger.warn({ provider: candidate.provider.id, status: err.status, code: err.info.code }, 'count_tokens failed upstream; answering an estimate');
      return { inputTokens: undefined };
    }
  }

  /** The same decryption as a completion's (UpstreamOpener), at the moment of the call. */
  private credential(c: Candidate): Credential {
    if (c.key) return openCredential(this.deps.keyring, c.key);
    const platformKey = this.deps.config.providers[c.provider.id]?.platformKey;
    if (!platformKey) throw new AppError('NO_KEY_FOR_MODEL', `No platform key for ${c.provider.name}`);
    return parseCredential(c.provider, { apiKey: platformKey });
  }
}
