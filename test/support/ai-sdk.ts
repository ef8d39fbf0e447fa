import { execFile } from 'node:child_process';
import path from 'node:path';

export interface AiSdkRun {
  text: string;
  reasoning: string;
  toolCalls: Array<{ id: string; name: string; input: unknown }>;
  finishReason: string | null;
  usage: { inputTokens?: number; outputTokens?: number } | null;
  errors: string[];
}

/**
 * Runs `streamText` of the Vercel AI SDK (through @ai-sdk/openai-compatible, or OpenRouter's
 * provider) against the service in a child Node process: those packages are ESM-only, which
 * jest's module system cannot load. Resolves with what the SDK produced.
 */
export function runAiSdk(opts: {
  provider: 'openai-compatible' | 'openrouter';
  baseURL: string;
  token: string;
  model: string;
  prompt: string;
  withTool?: boolean;
  headers?: Record<string, string>;
}): Promise<AiSdkRun> {
  const script = path.join(__dirname, 'esm-clients', 'ai-sdk-client.mjs');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script, JSON.stringify(opts)], { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`ai-sdk client failed: ${err.message}\n${stderr}`));
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop()!) as AiSdkRun);
      } catch {
        reject(new Error(`ai-sdk client printed no result: ${stdout}\n${stderr}`));
      }
    });
  });
}
