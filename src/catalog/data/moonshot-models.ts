/**
 * Kimi models: Moonshot first party (providers.md §2.8), then third-party hosts that list them
 * (Fireworks §2.3, Novita §2.9, Bedrock §2.2). Subscription plans that also serve Kimi
 * (Chutes, Neuralwatt, BytePlus) do so only under their own plan ids (plan-models.ts).
 */
import { ProviderId } from '../../providers/types';
import type { CatalogModel } from '../types';
import { offer, usd } from './helpers';

const { MOONSHOTAI, FIREWORKS, NOVITA, BEDROCK } = ProviderId;
const KIMI_CONTEXT = 262_144;

export const MOONSHOT_MODELS: CatalogModel[] = [
  {
    id: 'moonshotai/kimi-k2.6',
    name: 'Kimi K2.6',
    contextLength: KIMI_CONTEXT,
    offers: [
      offer(MOONSHOTAI, 'kimi-k2.6', usd(0.6, 2.5, 0.15)),
      offer(FIREWORKS, 'accounts/fireworks/models/kimi-k2p6', usd(0.6, 2.5, 0.3)),
    ],
  },
  {
    id: 'moonshotai/kimi-k2.5',
    name: 'Kimi K2.5',
    contextLength: KIMI_CONTEXT,
    offers: [
      offer(MOONSHOTAI, 'kimi-k2.5', usd(0.6, 2.5, 0.15)),
      offer(NOVITA, 'moonshotai/kimi-k2.5', usd(0.6, 2.5, 0.15)),
      offer(BEDROCK, 'moonshotai.kimi-k2.5', usd(0.6, 2.5)),
    ],
  },
  {
    id: 'moonshotai/kimi-k2.7-code',
    name: 'Kimi K2.7 Code',
    contextLength: KIMI_CONTEXT,
    offers: [offer(MOONSHOTAI, 'kimi-k2.7-code', usd(0.8, 3.2, 0.2))],
  },
  {
    id: 'moonshotai/kimi-k2.7-code-highspeed',
    name: 'Kimi K2.7 Code (highspeed)',
    contextLength: KIMI_CONTEXT,
    offers: [offer(MOONSHOTAI, 'kimi-k2.7-code-highspeed', usd(2.4, 9.6, 0.6))],
  },
  {
    id: 'moonshotai/kimi-k2-thinking',
    name: 'Kimi K2 Thinking',
    contextLength: KIMI_CONTEXT,
    offers: [offer(MOONSHOTAI, 'kimi-k2-thinking', usd(0.6, 2.5, 0.15))],
  },
  {
    id: 'moonshotai/kimi-k2-turbo-preview',
    name: 'Kimi K2 Turbo (preview)',
    contextLength: KIMI_CONTEXT,
    offers: [offer(MOONSHOTAI, 'kimi-k2-turbo-preview', usd(1.15, 8, 0.15))],
  },
];
