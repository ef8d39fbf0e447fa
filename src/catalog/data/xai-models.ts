/** Grok on xAI (providers.md §2.11). */
import { ProviderId } from '../../providers/types';
import type { CatalogModel } from '../types';
import { offer, usd } from './helpers';

const { XAI } = ProviderId;

export const XAI_MODELS: CatalogModel[] = [
  {
    id: 'x-ai/grok-4.3',
    name: 'Grok 4.3',
    contextLength: 256_000,
    offers: [offer(XAI, 'grok-4.3', usd(3, 15, 0.75))],
  },
  {
    id: 'x-ai/grok-4.20-0309-reasoning',
    name: 'Grok 4.20 (reasoning)',
    contextLength: 2_000_000,
    offers: [offer(XAI, 'grok-4.20-0309-reasoning', usd(2, 6, 0.2))],
  },
  {
    id: 'x-ai/grok-4.20-0309-non-reasoning',
    name: 'Grok 4.20 (non-reasoning)',
    contextLength: 2_000_000,
    offers: [offer(XAI, 'grok-4.20-0309-non-reasoning', usd(2, 6, 0.2))],
  },
  {
    id: 'x-ai/grok-build-0.1',
    name: 'Grok Build 0.1',
    contextLength: 256_000,
    offers: [offer(XAI, 'grok-build-0.1', usd(0.2, 1.5, 0.02))],
  },
];
