import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCatalog } from '../../../src/catalog/catalog';
import type { CatalogModel } from '../../../src/catalog/types';
import { AppError } from '../../../src/errors/app-error';
import { SseWriter } from '../../../src/rest/sse-writer';
import { gatewayModelId } from '../../../src/rest/anthropic/client-model';
import { anthropicModelList } from '../../../src/rest/anthropic/models-list';
import { PING_FRAME } from '../../../src/rest/anthropic/stream-events';
import { estimateInputTokens } from '../../../src/rest/anthropic/token-estimate';
import { ChatRole, ContentPartType } from '../../../src/modules/chat/chat.inputs';

describe('Anthropic door pieces', () => {
  it('pings in Anthropic’s own event while the provider is silent', async () => {
    const server = createServer((_req, res) => {
      const sse = new SseWriter(res, 40, PING_FRAME);
      void sse.open({});
      setTimeout(() => sse.end(), 150);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const body = await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)).text();
      expect(body.startsWith('event: ping\ndata: {"type":"ping"}\n\n')).toBe(true);
      expect(body.split(PING_FRAME).join('')).toBe('');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  const models = ['a', 'b', 'c', 'd', 'e'].map((id): CatalogModel => ({ id, name: id.toUpperCase(), offers: [] }));
  const ids = (q: Record<string, unknown>) => {
    const l = anthropicModelList(models, q);
    return [l.data.map((m) => m.id).join(''), l.has_more, l.first_id, l.last_id];
  };

  it('pages the model list like Anthropic: limit, after_id, before_id', () => {
    expect(ids({})).toEqual(['abcde', false, 'a', 'e']);
    expect(ids({ limit: '2' })).toEqual(['ab', true, 'a', 'b']);
    expect(ids({ limit: '2', after_id: 'b' })).toEqual(['cd', true, 'c', 'd']);
    expect(ids({ limit: '2', after_id: 'c' })).toEqual(['de', false, 'd', 'e']);
    expect(ids({ limit: '2', before_id: 'e' })).toEqual(['cd', true, 'c', 'd']);
    expect(ids({ limit: '5', before_id: 'c' })).toEqual(['ab', false, 'a', 'b']);
    expect(ids({ after_id: 'e' })).toEqual(['', false, null, null]);
    for (const q of [{ limit: '0' }, { limit: 'x' }, { limit: '1001' }, { after_id: 'zz' }, { after_id: 'a', before_id: 'c' }]) {
      expect(() => anthropicModelList(models, q)).toThrow(AppError);
    }
  });

  it('maps Anthropic’s own model ids onto the catalog, else passes them through to Anthropic', () => {
    const catalog = createCatalog();
    expect(gatewayModelId(catalog, 'claude-sonnet-4-6')).toBe('anthropic/claude-sonnet-4.6');
    expect(gatewayModelId(catalog, 'claude-sonnet-4-5-20250929')).toBe('anthropic/claude-sonnet-4-5-20250929');
    expect(gatewayModelId(catalog, 'z-ai/glm-4.7')).toBe('z-ai/glm-4.7');
    expect(gatewayModelId(catalog, 'gpt-5')).toBe('gpt-5');
  });

  it('estimates input tokens from text, tool definitions and images', () => {
    expect(
      estimateInputTokens({
        model: 'm',
        messages: [
          { role: ChatRole.SYSTEM, content: 'abcd' },
          { role: ChatRole.USER, parts: [{ type: ContentPartType.TEXT, text: 'abcdefgh' }, { type: ContentPartType.IMAGE, imageUrl: 'data:image/png;base64,AAAA' }] },
          { role: ChatRole.ASSISTANT, toolCalls: [{ id: 'x', name: 'ab', arguments: '{}' }], reasoningDetails: [{ type: 'reasoning.text', text: 'abcd' }] },
        ],
        tools: [{ name: 'ab', parameters: { type: 'object' } }],
      }),
    ).toBe(Math.ceil((4 + 8 + 4 + 4 + 2 + JSON.stringify({ type: 'object' }).length) / 4) + 1600);
  });
});
