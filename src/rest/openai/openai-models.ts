/**
 * Routable models → OpenAI's model list (`{object: "list", data: [...]}`), each entry with
 * OpenRouter's extras that clients such as Kilo Code read to pick and price models.
 */
import type { ModelPrice } from '../../catalog/types';
import type { RoutableModel } from '../../modules/routing/routable-models';
import { getProvider } from '../../providers/registry';

/**
 * What the gateway accepts for every model (the dialects map or drop what a provider lacks);
 * OpenRouter clients enable tools and reasoning controls only when listed here.
 */
const SUPPORTED_PARAMETERS = [
  'max_tokens',
  'temperature',
  'top_p',
  'stop',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
  'structured_outputs',
  'reasoning',
  'include_reasoning',
] as const;

export interface OpenAiModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  name: string;
  context_length: number | null;
  /** USD per token as decimal strings (OpenRouter), "0" for plans; absent when unknown. */
  pricing?: { prompt: string; completion: string; input_cache_read: string };
  supported_parameters: readonly string[];
  /** Which provider and whose key would serve it now (gateway extra). */
  provider: string;
  key_source: string;
}

export function openAiModel(r: RoutableModel): OpenAiModel {
  const out: OpenAiModel = {
    id: r.model.id,
    object: 'model',
    // The catalog has no release dates; 0 keeps the field an integer as the SDK types expect.
    created: 0,
    owned_by: r.model.id.split('/', 1)[0] ?? getProvider(r.offer.provider).slug,
    name: r.model.name,
    context_length: r.model.contextLength ?? null,
    supported_parameters: SUPPORTED_PARAMETERS,
    provider: getProvider(r.offer.provider).slug,
    key_source: r.keySource,
  };
  if (r.offer.price) out.pricing = pricing(r.offer.price);
  return out;
}

export function openAiModelList(models: readonly RoutableModel[]): { object: 'list'; data: OpenAiModel[] } {
  return { object: 'list', data: models.map(openAiModel) };
}

function pricing(p: ModelPrice): NonNullable<OpenAiModel['pricing']> {
  return { prompt: perToken(p.inputPerMTok), completion: perToken(p.outputPerMTok), input_cache_read: perToken(p.cachedInputPerMTok) };
}

/** USD per million tokens → USD per token as a plain decimal string ("0.000003", never "3e-6"). */
function perToken(perMTok: number): string {
  return (perMTok / 1e6).toFixed(12).replace(/\.?0+$/, '') || '0';
}
