/** OpenAI's GPT-5.x family (providers.md §2.10) and its open-weight gpt-oss on Fireworks (§2.3). */
import { ProviderId } from '../../providers/types';
import type { CatalogModel } from '../types';
import { offer, usd } from './helpers';

const { OPENAI, FIREWORKS } = ProviderId;

export const OPENAI_MODELS: CatalogModel[] = [
  {
    id: 'openai/gpt-5.5',
    name: 'GPT-5.5',
    contextLength: 400_000,
    offers: [offer(OPENAI, 'gpt-5.5', usd(5, 30, 0.5))],
  },
  {
    id: 'openai/gpt-5.4',
    name: 'GPT-5.4',
    contextLength: 400_000,
    offers: [offer(OPENAI, 'gpt-5.4', usd(2.5, 15, 0.25))],
  },
  {
    id: 'openai/gpt-5.4-mini',
    name: 'GPT-5.4 mini',
    contextLength: 400_000,
    offers: [offer(OPENAI, 'gpt-5.4-mini', usd(0.75, 4.5, 0.075))],
  },
  {
    id: 'openai/gpt-5.4-nano',
    name: 'GPT-5.4 nano',
    contextLength: 400_000,
    offers: [offer(OPENAI, 'gpt-5.4-nano', usd(0.2, 1.25, 0.02))],
  },
  {
    id: 'openai/gpt-5.3-codex',
    name: 'GPT-5.3 Codex',
    contextLength: 400_000,
    offers: [offer(OPENAI, 'gpt-5.3-codex', usd(1.75, 14, 0.175))],
  },
  {
    id: 'openai/gpt-oss-120b',
    name: 'gpt-oss-120b',
    contextLength: 131_072,
    offers: [offer(FIREWORKS, 'accounts/fireworks/models/gpt-oss-120b', usd(0.15, 0.6, 0.075))],
  },
];
