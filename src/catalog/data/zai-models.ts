/**
 * GLM models: Z.ai first party (providers.md §2.12), then Fireworks (§2.3), Novita (§2.9) and
 * Bedrock (§2.2) where they list them. GLM Coding Plan models are `zai-coding/…` (plan-models.ts).
 */
import { ProviderId } from '../../providers/types';
import type { CatalogModel } from '../types';
import { offer, usd } from './helpers';

const { ZAI, FIREWORKS, NOVITA, BEDROCK } = ProviderId;
const GLM_CONTEXT = 202_752;

export const ZAI_MODELS: CatalogModel[] = [
  {
    id: 'z-ai/glm-5.2',
    name: 'GLM-5.2',
    contextLength: GLM_CONTEXT,
    offers: [offer(ZAI, 'glm-5.2', usd(1, 3.2, 0.2))],
  },
  {
    id: 'z-ai/glm-5.1',
    name: 'GLM-5.1',
    contextLength: GLM_CONTEXT,
    offers: [
      offer(ZAI, 'glm-5.1', usd(1, 3.2, 0.2)),
      offer(FIREWORKS, 'accounts/fireworks/models/glm-5p1', usd(1, 3.2, 0.5)),
      offer(NOVITA, 'zai-org/glm-5.1', usd(1, 3.2, 0.2)),
    ],
  },
  {
    id: 'z-ai/glm-5',
    name: 'GLM-5',
    contextLength: GLM_CONTEXT,
    offers: [offer(ZAI, 'glm-5', usd(1, 3.2, 0.2)), offer(BEDROCK, 'zai.glm-5', usd(1, 3.2))],
  },
  {
    id: 'z-ai/glm-5-turbo',
    name: 'GLM-5 Turbo',
    contextLength: GLM_CONTEXT,
    offers: [offer(ZAI, 'glm-5-turbo', usd(1.2, 4, 0.24))],
  },
  {
    id: 'z-ai/glm-4.7',
    name: 'GLM-4.7',
    contextLength: GLM_CONTEXT,
    offers: [offer(ZAI, 'glm-4.7', usd(0.6, 2.2, 0.11))],
  },
  {
    // Free on Z.ai (Kilo's BYOK test model, §2.12).
    id: 'z-ai/glm-4.7-flash',
    name: 'GLM-4.7 Flash',
    contextLength: GLM_CONTEXT,
    offers: [offer(ZAI, 'glm-4.7-flash', usd(0, 0, 0))],
  },
];
