/** Gemini on Google AI Studio (providers.md §2.4). */
import { ProviderId } from '../../providers/types';
import type { CatalogModel } from '../types';
import { offer, usd } from './helpers';

const { GOOGLE } = ProviderId;
const MILLION_CONTEXT = 1_048_576;

export const GOOGLE_MODELS: CatalogModel[] = [
  {
    id: 'google/gemini-2.5-pro',
    name: 'Gemini 2.5 Pro',
    contextLength: MILLION_CONTEXT,
    offers: [offer(GOOGLE, 'gemini-2.5-pro', usd(1.25, 10, 0.125))],
  },
  {
    id: 'google/gemini-2.5-flash',
    name: 'Gemini 2.5 Flash',
    contextLength: MILLION_CONTEXT,
    offers: [offer(GOOGLE, 'gemini-2.5-flash', usd(0.3, 2.5, 0.03))],
  },
  {
    id: 'google/gemini-2.5-flash-lite',
    name: 'Gemini 2.5 Flash-Lite',
    contextLength: MILLION_CONTEXT,
    offers: [offer(GOOGLE, 'gemini-2.5-flash-lite', usd(0.1, 0.4, 0.01))],
  },
  {
    id: 'google/gemini-3-flash-preview',
    name: 'Gemini 3 Flash (preview)',
    contextLength: MILLION_CONTEXT,
    offers: [offer(GOOGLE, 'gemini-3-flash-preview', usd(0.5, 3, 0.05))],
  },
  {
    id: 'google/gemini-3.1-pro-preview',
    name: 'Gemini 3.1 Pro (preview)',
    contextLength: MILLION_CONTEXT,
    offers: [offer(GOOGLE, 'gemini-3.1-pro-preview', usd(2, 12, 0.2))],
  },
  {
    id: 'google/gemini-3.5-flash',
    name: 'Gemini 3.5 Flash',
    contextLength: MILLION_CONTEXT,
    offers: [offer(GOOGLE, 'gemini-3.5-flash', usd(0.5, 3, 0.05))],
  },
];
