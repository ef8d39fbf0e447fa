/**
 * The Bedrock ConverseStream input (tools.md §1.4) from the internal model: toolConfig whenever
 * the history holds tool blocks (§3.7), toolUse / toolResult blocks, image bytes, Claude
 * thinking through additionalModelRequestFields and replayed as reasoningContent, and cache
 * points for Claude where the client placed none.
 */
import type {
  ContentBlock,
  ConverseStreamCommandInput,
  Message,
  SystemContentBlock,
  Tool,
  ToolResultContentBlock,
} from '@aws-sdk/client-bedrock-runtime';
import type { ChatMessage, ContentPart, ImageMediaType } from '../chat-model';
import { UnsupportedFeatureError } from '../types';
import type { UpstreamChatRequest } from '../types';
import { anthropicThinking, outputCap, thinkingBudget, thinkingIsOn } from './anthropic-messages-request';
import type { JsonObject } from './json';
import { argumentsObject, textOf, turnAppender } from './message-text';
import { claudeThinking } from './reasoning-replay';
import { SAFE_ID, toolIdMap } from './tool-ids';

type BodyRequest = Omit<UpstreamChatRequest, 'credential' | 'endpoints' | 'signal'>;

const FORMAT: Record<ImageMediaType, 'png' | 'jpeg' | 'gif' | 'webp'> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};
const CACHE_POINT = { cachePoint: { type: 'default' } } as const;
const DEFAULT_MAX_TOKENS = 4096;

const isClaude = (model: string) => /anthropic|claude/.test(model);

export function checkBedrock(req: BodyRequest): void {
  for (const m of req.messages) {
    if ((m.role === 'user' || m.role === 'tool') && m.parts.some((p) => p.type === 'image' && p.image.kind === 'url')) {
      throw new UnsupportedFeatureError(req.provider.name, 'image URLs (it takes inline bytes only: send the image as a data: URL)');
    }
  }
  if (req.responseFormat?.type === 'json_object') {
    throw new UnsupportedFeatureError(req.provider.name, 'responseFormat JSON_OBJECT (send JSON_SCHEMA with a schema)');
  }
}

export function converseStreamInput(req: BodyRequest): ConverseStreamCommandInput {
  checkBedrock(req);
  const claude = isClaude(req.upstreamModel);
  const thinking = claude ? anthropicThinking(req) : undefined;
  const thinkingOn = thinkingIsOn(thinking);
  const budget = thinkingBudget(thinking);
  const hasToolHistory = req.messages.some((m) => m.role === 'tool' || (m.role === 'assistant' && m.toolCalls.length > 0));
  // §3.7: Converse has no toolChoice "none", and tool blocks need a toolConfig: for "none" (or no
  // tools) the history's calls and results go as text instead.
  const toolsOn = !!req.tools?.length && req.toolChoice?.type !== 'none';
  const autoCache = claude && !req.cache && !hasClientMarks(req);
  const input: ConverseStreamCommandInput = {
    modelId: req.upstreamModel,
    messages: messages(req, { toolsOn: toolsOn || !hasToolHistory, replayThinking: claude && thinking?.type !== 'disabled', autoCache }),
  };
  const system: SystemContentBlock[] = [];
  for (const m of req.messages) {
    if (m.role !== 'system') continue;
    for (const p of m.parts) system.push({ text: p.text }, ...(p.cache ? [CACHE_POINT] : []));
  }
  if (system.length > 0) input.system = autoCache ? [...system, CACHE_POINT] : system;
  if (toolsOn) {
    const tools: Tool[] = req.tools!.map((t) => ({
      toolSpec: { name: t.name, ...(t.description !== undefined ? { description: t.description } : {}), inputSchema: { json: t.parameters as never } },
    }));
    const choice = req.toolChoice;
    input.toolConfig = {
      tools,
      ...(choice?.type === 'required' && !budget ? { toolChoice: { any: {} } } : {}),
      ...(choice?.type === 'tool' && !budget ? { toolChoice: { tool: { name: choice.name } } } : {}),
      ...(choice?.type === 'auto' ? { toolChoice: { auto: {} } } : {}),
    };
  }
  const config: NonNullable<ConverseStreamCommandInput['inferenceConfig']> = {};
  if (req.maxTokens !== undefined || budget > 0) config.maxTokens = outputCap(req.maxTokens, DEFAULT_MAX_TOKENS, budget);
  // Claude with thinking takes no temperature/topP changes (§1.4).
  if (req.temperature !== undefined && !thinkingOn) config.temperature = req.temperature;
  if (req.topP !== undefined && !thinkingOn) config.topP = req.topP;
  if (req.stop !== undefined && req.stop.length > 0) config.stopSequences = req.stop;
  if (Object.keys(config).length > 0) input.inferenceConfig = config;
  const extra = claude ? claudeFields(req, thinking, thinkingOn) : undefined;
  if (extra) input.additionalModelRequestFields = extra as never;
  if (req.responseFormat?.type === 'json_schema') {
    const f = req.responseFormat;
    // `schema` is a String in Converse's JsonSchemaDefinition.
    input.outputConfig = { textFormat: { type: 'json_schema', structure: { jsonSchema: { schema: JSON.stringify(f.schema), name: f.name } } } } as never;
  }
  return input;
}

/**
 * The betas Bedrock takes for Claude (AWS's list, as LiteLLM's Bedrock filter keeps it, BerriAI/litellm
 * PR #19877). Bedrock refuses the whole request with 400 "invalid beta flag" for any other, and
 * Claude Code sends many (claude-code-20250219, extended-cache-ttl-…, mcp-servers-…;
 * anthropics/claude-code#49370, #56595), so only these travel on.
 */
const BEDROCK_BETAS: ReadonlySet<string> = new Set([
  'computer-use-2024-10-22',
  'computer-use-2025-01-24',
  'token-efficient-tools-2025-02-19',
  'interleaved-thinking-2025-05-14',
  'output-128k-2025-02-19',
  'dev-full-thinking-2025-05-14',
  'context-1m-2025-08-07',
  'context-management-2025-06-27',
  'effort-2025-11-24',
  'tool-search-tool-2025-10-19',
  'tool-examples-2025-10-29',
]);

/**
 * Claude's own request fields, which Converse has no field for, in additionalModelRequestFields
 * (§1.4 "Reasoning"): thinking and effort as the client sent them, `top_k` (not with thinking),
 * and the client's `anthropic-beta` values Bedrock takes, as `anthropic_beta`.
 */
function claudeFields(req: BodyRequest, thinking: JsonObject | undefined, thinkingOn: boolean): JsonObject | undefined {
  const extra: JsonObject = {};
  if (thinking) extra.thinking = thinking;
  if (req.anthropicEffort !== undefined) extra.output_config = { effort: req.anthropicEffort };
  if (req.topK !== undefined && !thinkingOn) extra.top_k = req.topK;
  const betas = req.anthropicBeta?.filter((b) => BEDROCK_BETAS.has(b)) ?? [];
  if (betas.length > 0) extra.anthropic_beta = betas;
  return Object.keys(extra).length > 0 ? extra : undefined;
}

interface Options {
  toolsOn: boolean;
  replayThinking: boolean;
  autoCache: boolean;
}

function messages(req: BodyRequest, o: Options): Message[] {
  const mapId = toolIdMap(req.messages, SAFE_ID);
  const out: { role: 'user' | 'assistant'; content: ContentBlock[] }[] = [];
  const turn = turnAppender(out);
  for (const m of req.messages) {
    switch (m.role) {
      case 'system':
        break;
      case 'user':
        turn('user').push(...m.parts.flatMap(block));
        break;
      case 'tool': {
        const content = turn('user');
        if (!o.toolsOn) {
          content.push({ text: `[result of tool call ${m.toolCallId} (${m.toolName})${m.isError ? ', an error' : ''}]: ${textOf(m.parts) || '(empty)'}` });
          break;
        }
        const result: ToolResultContentBlock[] = m.parts.map((p) => (p.type === 'text' ? { text: p.text } : (image(p) as ToolResultContentBlock)));
        // Blank or missing content is refused (§3.6).
        if (result.length === 0) result.push({ text: m.isError ? 'error' : '(empty)' });
        const at = content.findIndex((b) => b.toolResult === undefined);
        const blocks: ContentBlock[] = [{ toolResult: { toolUseId: mapId(m.toolCallId), content: result, ...(m.isError ? { status: 'error' } : {}) } }];
        if (m.cache) blocks.push(CACHE_POINT);
        if (at === -1) content.push(...blocks);
        else content.splice(at, 0, ...blocks);
        break;
      }
      case 'assistant': {
        const content = turn('assistant');
        if (o.replayThinking) {
          for (const d of claudeThinking(m.reasoning, req.upstreamModel)) {
            content.push(
              d.type === 'reasoning.text'
                ? { reasoningContent: { reasoningText: { text: d.text, ...(d.signature ? { signature: d.signature } : {}) } } }
                : { reasoningContent: { redactedContent: Buffer.from(d.data, 'base64') } },
            );
          }
        }
        for (const p of m.parts) content.push({ text: p.text });
        for (const c of m.toolCalls) {
          if (o.toolsOn) content.push({ toolUse: { toolUseId: mapId(c.id), name: c.name, input: argumentsObject(c.arguments, 'value') as never } });
          else content.push({ text: `[tool call ${c.id}: ${c.name}(${c.arguments})]` });
        }
        break;
      }
    }
  }
  const last = out[out.length - 1];
  if (last?.role === 'assistant') {
    const tail = last.content[last.content.length - 1];
    if (tail?.text !== undefined) tail.text = tail.text.trimEnd();
  }
  if (o.autoCache) {
    const lastUser = [...out].reverse().find((m) => m.role === 'user');
    lastUser?.content.push(CACHE_POINT);
  }
  return out;
}

function block(p: ContentPart): ContentBlock[] {
  if (p.type === 'text') return [{ text: p.text }, ...(p.cache ? [CACHE_POINT] : [])];
  return [image(p)];
}

function image(p: Extract<ContentPart, { type: 'image' }>): ContentBlock {
  // checkBedrock refused URLs: only inline bytes reach here.
  const src = p.image as Extract<ContentPart, { type: 'image' }>['image'] & { kind: 'base64' };
  return { image: { format: FORMAT[src.mediaType], source: { bytes: Buffer.from(src.data, 'base64') } } };
}

function hasClientMarks(req: BodyRequest): boolean {
  return req.messages.some((m: ChatMessage) => (m.role === 'tool' && m.cache !== undefined) || m.parts.some((p) => p.cache !== undefined));
}
