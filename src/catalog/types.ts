/**
 * The model catalog's vocabulary: gateway model ids, which providers serve each and at what
 * list price. Prices are USD per million tokens, which is also micro-USD per token.
 */
import type { ProviderId } from '../providers/types';

/**
 * Longest model id (gateway or upstream) the gateway accepts: the usage columns hold exactly
 * this much. Requests, catalog files and the columns all read it from here, so an id that is
 * accepted can always be recorded (a 201-300 character id used to stream, then fail its usage
 * insert forever).
 */
export const MAX_MODEL_ID_LENGTH = 200;

/** List price of one offer, USD per million tokens (= micro-USD per token). */
export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
  /** Price of cache-read input tokens (equal to inputPerMTok when the provider has no discount). */
  cachedInputPerMTok: number;
  /**
   * Price of input tokens written to the provider's prompt cache (equal to inputPerMTok when
   * writing costs nothing extra, e.g. OpenAI's and Gemini's implicit caching).
   */
  cacheWritePerMTok: number;
  /** Price of cache writes with a 1-hour TTL (Claude: 2x input); cacheWritePerMTok when absent. */
  cacheWrite1hPerMTok?: number;
}

/** One provider serving a model. */
export interface ModelOffer {
  provider: ProviderId;
  /** The id sent to the provider: `claude-sonnet-4-6`, `us.anthropic.claude-sonnet-4-6`. */
  upstreamModel: string;
  /** Null when the cost is unknown (operator model without price, passthrough). */
  price: ModelPrice | null;
}

/** A gateway model. */
export interface CatalogModel {
  /** Gateway id: `anthropic/claude-sonnet-4.5`, plan models `zai-coding/glm-4.7`. */
  id: string;
  name: string;
  contextLength?: number;
  /** In routing preference order: first-party first. */
  offers: ModelOffer[];
}

/** What a requested model id resolves to for routing. */
export interface ResolvedModel extends CatalogModel {
  /**
   * True for `<provider-slug>/<upstream-id>` ids the catalog does not know: one offer, sent
   * as-is to that provider, cost unknown (null price; 0 for subscription plans).
   */
  passthrough: boolean;
}
