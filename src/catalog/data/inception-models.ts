/** Inception's Mercury diffusion models (providers.md §2.5). */
import { ProviderId } from '../../providers/types';
import type { CatalogModel } from '../types';
import { offer, usd } from './helpers';

const { INCEPTION } = ProviderId;

export const INCEPTION_MODELS: CatalogModel[] = [
  {
    id: 'inception/mercury-2',
    name: 'Mercury 2',
    contextLength: 128_000,
    offers: [offer(INCEPTION, 'mercury-2', usd(0.25, 0.75, 0.025))],
  },
  {
    id: 'inception/mercury-edit-2',
    name: 'Mercury Edit 2',
    contextLength: 32_000,
    offers: [offer(INCEPTION, 'mercury-edit-2', usd(0.25, 0.75, 0.025))],
  },
  {
    // Seen only in later Vercel-gateway listings ([U] in §2.5): check GET /v1/models.
    id: 'inception/mercury-2.5',
    name: 'Mercury 2.5',
    contextLength: 128_000,
    offers: [offer(INCEPTION, 'mercury-2.5', usd(0.3, 1, 0.03))],
  },
];
