/**
 * The catalog shipped with the gateway, family by family (`data/`). Prices are list prices as of
 * mid-2026; operators correct and extend them with CATALOG_FILE.
 */
import { ANTHROPIC_MODELS } from './data/anthropic-models';
import { GOOGLE_MODELS } from './data/google-models';
import { INCEPTION_MODELS } from './data/inception-models';
import { MINIMAX_MODELS } from './data/minimax-models';
import { MISTRAL_MODELS } from './data/mistral-models';
import { MOONSHOT_MODELS } from './data/moonshot-models';
import { OPEN_WEIGHT_MODELS } from './data/open-weight-models';
import { OPENAI_MODELS } from './data/openai-models';
import { PLAN_MODELS } from './data/plan-models';
import { XAI_MODELS } from './data/xai-models';
import { ZAI_MODELS } from './data/zai-models';
import type { CatalogModel } from './types';

/** Every built-in model, in listing order. */
export const BUILTIN_MODELS: readonly CatalogModel[] = [
  ...ANTHROPIC_MODELS,
  ...OPENAI_MODELS,
  ...GOOGLE_MODELS,
  ...XAI_MODELS,
  ...MISTRAL_MODELS,
  ...MOONSHOT_MODELS,
  ...ZAI_MODELS,
  ...MINIMAX_MODELS,
  ...INCEPTION_MODELS,
  ...OPEN_WEIGHT_MODELS,
  ...PLAN_MODELS,
];
