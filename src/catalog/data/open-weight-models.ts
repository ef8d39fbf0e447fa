/**
 * Other open-weight families served by hosting providers: DeepSeek and Qwen (Fireworks §2.3,
 * Novita §2.9) and Amazon Nova on Bedrock (§2.2).
 */
import { ProviderId } from '../../providers/types';
import type { CatalogModel } from '../types';
import { offer, usd } from './helpers';

const { FIREWORKS, NOVITA, BEDROCK } = ProviderId;

export const OPEN_WEIGHT_MODELS: CatalogModel[] = [
  {
    id: 'deepseek/deepseek-v4-pro',
    name: 'DeepSeek V4 Pro',
    contextLength: 163_840,
    offers: [offer(FIREWORKS, 'accounts/fireworks/models/deepseek-v4-pro', usd(1.2, 4.8, 0.6))],
  },
  {
    id: 'deepseek/deepseek-v3.2',
    name: 'DeepSeek V3.2',
    contextLength: 163_840,
    offers: [offer(NOVITA, 'deepseek/deepseek-v3.2', usd(0.27, 0.4, 0.135))],
  },
  {
    id: 'qwen/qwen3.7-max',
    name: 'Qwen3.7 Max',
    contextLength: 262_144,
    offers: [offer(NOVITA, 'qwen/qwen3.7-max', usd(1.2, 6, 0.24))],
  },
  {
    id: 'amazon/nova-2-lite',
    name: 'Amazon Nova 2 Lite',
    contextLength: 1_000_000,
    offers: [offer(BEDROCK, 'amazon.nova-2-lite-v1:0', usd(0.3, 2.5, 0.075))],
  },
];
