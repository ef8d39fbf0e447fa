/**
 * Claude models: Anthropic first party, then Bedrock inference profiles (providers.md §2.1,
 * §2.2; Claude 4.x on Bedrock needs `us.`/`global.` profile ids, §1.4 "Common errors").
 */
import { ProviderId } from '../../providers/types';
import type { CatalogModel } from '../types';
import { offer, usd } from './helpers';

const { ANTHROPIC, BEDROCK } = ProviderId;
// usd(input, output, cache read, cache write). Claude bills a cache read at 0.1x the input price
// and a cache write at 1.25x for the 5-minute TTL (the gateway's automatic breakpoints), 2x for
// the 1-hour TTL a client may ask for (https://platform.claude.com/docs/en/about-claude/pricing,
// "Prompt caching"); usage tells the two apart. Bedrock bills Claude's cache reads and writes the
// same (https://aws.amazon.com/bedrock/pricing/, Anthropic).
const SONNET = { ...usd(3, 15, 0.3, 3.75), cacheWrite1hPerMTok: 6 };
const OPUS = { ...usd(5, 25, 0.5, 6.25), cacheWrite1hPerMTok: 10 };
const HAIKU = { ...usd(1, 5, 0.1, 1.25), cacheWrite1hPerMTok: 2 };

export const ANTHROPIC_MODELS: CatalogModel[] = [
  {
    id: 'anthropic/claude-sonnet-4.6',
    name: 'Claude Sonnet 4.6',
    contextLength: 200_000,
    offers: [offer(ANTHROPIC, 'claude-sonnet-4-6', SONNET), offer(BEDROCK, 'us.anthropic.claude-sonnet-4-6', SONNET)],
  },
  {
    id: 'anthropic/claude-sonnet-4.5',
    name: 'Claude Sonnet 4.5',
    contextLength: 200_000,
    offers: [
      offer(ANTHROPIC, 'claude-sonnet-4-5', SONNET),
      offer(BEDROCK, 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', SONNET),
    ],
  },
  {
    id: 'anthropic/claude-opus-4.7',
    name: 'Claude Opus 4.7',
    contextLength: 200_000,
    offers: [offer(ANTHROPIC, 'claude-opus-4-7', OPUS), offer(BEDROCK, 'us.anthropic.claude-opus-4-7', OPUS)],
  },
  {
    id: 'anthropic/claude-haiku-4.5',
    name: 'Claude Haiku 4.5',
    contextLength: 200_000,
    offers: [
      offer(ANTHROPIC, 'claude-haiku-4-5', HAIKU),
      offer(BEDROCK, 'us.anthropic.claude-haiku-4-5-20251001-v1:0', HAIKU),
    ],
  },
  {
    id: 'anthropic/claude-opus-4.8',
    name: 'Claude Opus 4.8',
    contextLength: 200_000,
    offers: [offer(ANTHROPIC, 'claude-opus-4-8', OPUS)],
  },
  {
    id: 'anthropic/claude-sonnet-5',
    name: 'Claude Sonnet 5',
    contextLength: 200_000,
    offers: [offer(ANTHROPIC, 'claude-sonnet-5', SONNET)],
  },
];
