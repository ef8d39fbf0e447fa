/**
 * The Gemini `generateContent` request body (tools.md §1.3) from the internal model:
 * functionDeclarations with schemas reduced to Gemini's subset, functionCallingConfig,
 * functionResponse by NAME, thought signatures replayed on their call's part (§3.4), inlineData
 * images, thinkingConfig and responseSchema.
 */
import type { ChatMessage, ContentPart } from '../chat-model';
import { UnsupportedFeatureError } from '../types';
import type { UpstreamChatRequest } from '../types';
import { toGeminiSchema } from './gemini-schema';
import type { JsonObject } from './json';
import { argumentsObject, textOf } from './message-text';
import { geminiSignatures } from './reasoning-replay';

type BodyRequest = Omit<UpstreamChatRequest, 'credential' | 'endpoints' | 'signal'>;

/** Google's documented stand-in for calls Gemini did not sign (thought-signatures page). */
export const GEMINI_DUMMY_SIGNATURE = 'skip_thought_signature_validator';
/** Gemini 2.5 budgets per effort (Vercel's resolveGemini25ThinkingConfig uses similar steps). */
const BUDGET = { none: 0, minimal: 512, low: 1024, medium: 8192, high: 24576 } as const;

export function checkGemini(req: BodyRequest): void {
  for (const m of req.messages) {
    if ((m.role === 'user' || m.role === 'tool') && m.parts.some((p) => p.type === 'image' && p.image.kind === 'url')) {
      throw new UnsupportedFeatureError(req.provider.name, 'image URLs (it takes inline bytes only: send the image as a data: URL)');
    }
  }
}

const isGemini3 = (model: string) => /gemini-3/.test(model);

export function geminiBody(req: BodyRequest): JsonObject {
  checkGemini(req);
  const system = req.messages.filter((m): m is Extract<ChatMessage, { role: 'system' }> => m.role === 'system');
  const body: JsonObject = { contents: contents(req) };
  if (system.length > 0) body.systemInstruction = { parts: [{ text: system.map((m) => textOf(m.parts)).join('\n\n') }] };
  if (req.tools && req.tools.length > 0) {
    body.tools = [
      {
        functionDeclarations: req.tools.map((t) => {
          const parameters = toGeminiSchema(t.parameters, req.provider.name);
          return { name: t.name, ...(t.description !== undefined ? { description: t.description } : {}), ...(parameters ? { parameters } : {}) };
        }),
      },
    ];
    const choice = req.toolChoice;
    if (choice) {
      const mode = choice.type === 'auto' ? 'AUTO' : choice.type === 'none' ? 'NONE' : 'ANY';
      body.toolConfig = { functionCallingConfig: { mode, ...(choice.type === 'tool' ? { allowedFunctionNames: [choice.name] } : {}) } };
    }
  }
  const config: JsonObject = {};
  if (req.maxTokens !== undefined) config.maxOutputTokens = req.maxTokens;
  if (req.temperature !== undefined) config.temperature = req.temperature;
  if (req.topP !== undefined) config.topP = req.topP;
  if (req.topK !== undefined) config.topK = req.topK;
  if (req.stop !== undefined && req.stop.length > 0) config.stopSequences = req.stop;
  const f = req.responseFormat;
  if (f && f.type !== 'text') {
    config.responseMimeType = 'application/json';
    if (f.type === 'json_schema') config.responseSchema = toGeminiSchema(f.schema, req.provider.name) ?? { type: 'object' };
  }
  const thinking = thinkingConfig(req);
  if (thinking) config.thinkingConfig = thinking;
  body.generationConfig = config;
  return body;
}

/** §4.3: `thinkingLevel` for Gemini 3+, `thinkingBudget` for 2.5 (sending both is a 400). */
function thinkingConfig(req: BodyRequest): JsonObject | undefined {
  const r = req.reasoning;
  if (!r) return undefined;
  const out: JsonObject = {};
  if (isGemini3(req.upstreamModel)) {
    // Gemini 3 cannot turn thinking off: its minimum level stands in for "none".
    if (r.effort !== undefined) out.thinkingLevel = r.effort === 'none' ? 'minimal' : r.effort;
    else if (r.maxTokens !== undefined) out.thinkingBudget = r.maxTokens;
  } else if (r.maxTokens !== undefined) out.thinkingBudget = r.maxTokens;
  else if (r.effort !== undefined) out.thinkingBudget = BUDGET[r.effort];
  const off = out.thinkingBudget === 0;
  if (!off) out.includeThoughts = r.exclude !== true;
  return out;
}

/**
 * Turns of `user` and `model`; consecutive ones of a role merge. A model turn replays its text,
 * then its calls with their signatures; the first call part of each step of the current turn (after
 * the last user text) carries a signature, the dummy where Gemini gave none (§3.4).
 */
function contents(req: BodyRequest): JsonObject[] {
  const out: { role: 'user' | 'model'; parts: JsonObject[] }[] = [];
  const turn = (role: 'user' | 'model') => {
    const last = out[out.length - 1];
    if (last && last.role === role) return last.parts;
    const parts: JsonObject[] = [];
    out.push({ role, parts });
    return parts;
  };
  const lastUser = req.messages.map((m) => m.role).lastIndexOf('user');
  req.messages.forEach((m, i) => {
    switch (m.role) {
      case 'system':
        return;
      case 'user':
        turn('user').push(...m.parts.map(part));
        return;
      case 'tool': {
        const text = textOf(m.parts);
        const parts = turn('user');
        parts.push({ functionResponse: { name: m.toolName, response: m.isError ? { error: text || 'error' } : { output: text } } });
        // Inline images of a result follow it as parts of their own (Vercel's fallback, §1.3).
        for (const p of m.parts) if (p.type === 'image') parts.push(part(p));
        return;
      }
      case 'assistant': {
        const parts = turn('model');
        const signatures = geminiSignatures(m.reasoning);
        m.parts.forEach((p, j) => {
          const sig = j === m.parts.length - 1 && m.toolCalls.length === 0 ? signatures.text : undefined;
          parts.push(sig ? { text: p.text, thoughtSignature: sig } : { text: p.text });
        });
        m.toolCalls.forEach((c, j) => {
          const call: JsonObject = { functionCall: { name: c.name, args: argumentsObject(c.arguments, 'value') } };
          const sig = signatures.byCall.get(c.id) ?? (j === 0 && i > lastUser && isGemini3(req.upstreamModel) ? GEMINI_DUMMY_SIGNATURE : undefined);
          if (sig) call.thoughtSignature = sig;
          parts.push(call);
        });
        return;
      }
    }
  });
  // "contents.parts must not be empty" (§3.8).
  return out.filter((t) => t.parts.length > 0);
}

function part(p: ContentPart): JsonObject {
  if (p.type === 'text') return { text: p.text };
  // checkGemini refused URLs.
  return p.image.kind === 'base64' ? { inlineData: { mimeType: p.image.mediaType, data: p.image.data } } : { text: '' };
}
