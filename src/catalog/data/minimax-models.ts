/** MiniMax first party (providers.md §2.6), then Fireworks, Novita and Bedrock where listed. */
import { ProviderId } from '../../providers/types';
import type { CatalogModel } from '../types';
import { offer, usd } from './helpers';

const { MINIMAX, FIREWORKS, NOVITA, BEDROCK } = ProviderId;
const MINIMAX_CONTEXT = 204_800;
const M2 = usd(0.3, 1.2, 0.03);
const HIGHSPEED = usd(0.6, 2.4, 0.06);

export const MINIMAX_MODELS: CatalogModel[] = [
  {
    id: 'minimax/minimax-m3',
    name: 'MiniMax M3',
    contextLength: MINIMAX_CONTEXT,
    offers: [
      offer(MINIMAX, 'MiniMax-M3', usd(0.4, 1.6, 0.04)),
      offer(FIREWORKS, 'accounts/fireworks/models/minimax-m3', usd(0.4, 1.6, 0.2)),
    ],
  },
  {
    id: 'minimax/minimax-m2.7',
    name: 'MiniMax M2.7',
    contextLength: MINIMAX_CONTEXT,
    offers: [offer(MINIMAX, 'MiniMax-M2.7', M2), offer(NOVITA, 'minimax/minimax-m2.7', M2)],
  },
  {
    id: 'minimax/minimax-m2.7-highspeed',
    name: 'MiniMax M2.7 (highspeed)',
    contextLength: MINIMAX_CONTEXT,
    offers: [offer(MINIMAX, 'MiniMax-M2.7-highspeed', HIGHSPEED)],
  },
  {
    id: 'minimax/minimax-m2.5',
    name: 'MiniMax M2.5',
    contextLength: MINIMAX_CONTEXT,
    offers: [offer(MINIMAX, 'MiniMax-M2.5', M2), offer(BEDROCK, 'minimax.minimax-m2.5', usd(0.3, 1.2))],
  },
  {
    id: 'minimax/minimax-m2.5-highspeed',
    name: 'MiniMax M2.5 (highspeed)',
    contextLength: MINIMAX_CONTEXT,
    offers: [offer(MINIMAX, 'MiniMax-M2.5-highspeed', HIGHSPEED)],
  },
];
