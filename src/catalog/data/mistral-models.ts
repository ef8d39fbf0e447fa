/** Mistral La Plateforme (providers.md §2.7). Mistral lists no cache discount. */
import { ProviderId } from '../../providers/types';
import type { CatalogModel } from '../types';
import { offer, usd } from './helpers';

const { MISTRAL } = ProviderId;

export const MISTRAL_MODELS: CatalogModel[] = [
  {
    id: 'mistralai/mistral-medium-3.5',
    name: 'Mistral Medium 3.5',
    contextLength: 131_072,
    offers: [offer(MISTRAL, 'mistral-medium-2604', usd(0.4, 2))],
  },
  {
    id: 'mistralai/mistral-small-2603',
    name: 'Mistral Small (2603)',
    contextLength: 131_072,
    offers: [offer(MISTRAL, 'mistral-small-2603', usd(0.1, 0.3))],
  },
  {
    id: 'mistralai/mistral-large-2512',
    name: 'Mistral Large (2512)',
    contextLength: 262_144,
    offers: [offer(MISTRAL, 'mistral-large-2512', usd(0.5, 1.5))],
  },
  {
    id: 'mistralai/magistral-medium',
    name: 'Magistral Medium',
    contextLength: 131_072,
    offers: [offer(MISTRAL, 'magistral-medium-latest', usd(2, 5))],
  },
];
