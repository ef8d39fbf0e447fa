/**
 * Anthropic clients name models the way Anthropic does (`claude-sonnet-4-5`, or a dated
 * snapshot `claude-sonnet-4-5-20250929`); Claude Code sends such ids unless the user picks a
 * gateway id. A bare `claude-…` id becomes the catalog model Anthropic serves under that id (so
 * Bedrock can serve it too and the cost is known), else a passthrough to Anthropic. Gateway ids
 * (`anthropic/claude-sonnet-4.5`, `z-ai/glm-4.7`) are left as they are.
 */
import type { Catalog } from '../../catalog/catalog';
import { ProviderId } from '../../providers/types';

export function gatewayModelId(catalog: Catalog, model: string): string {
  if (model.includes('/') || !model.startsWith('claude-')) return model;
  for (const m of catalog.list(ProviderId.ANTHROPIC)) {
    if (m.offers.some((o) => o.provider === ProviderId.ANTHROPIC && o.upstreamModel === model)) return m.id;
  }
  return `anthropic/${model}`;
}
