/**
 * Subscription plans' own model lists, `<plan-slug>/<upstream id>`, price 0 (flat fee). Each is
 * served only by its plan, and a plan serves nothing else (ARCHITECTURE.md "Routing").
 */
import { ProviderId } from '../../providers/types';
import type { CatalogModel } from '../types';
import { planModels } from './helpers';

/** GLM Coding Plan: models.dev `zai-coding-plan` ∪ Kilo cloud `zai-coding` (providers.md §2.18). */
const ZAI_CODING = planModels(ProviderId.ZAI_CODING, [
  ['glm-5.2', 'GLM-5.2 (Coding Plan)', 202_752],
  ['glm-5.1', 'GLM-5.1 (Coding Plan)', 202_752],
  ['glm-5', 'GLM-5 (Coding Plan)', 202_752],
  ['glm-5-turbo', 'GLM-5 Turbo (Coding Plan)', 202_752],
  ['glm-5v-turbo', 'GLM-5V Turbo (Coding Plan)', 131_072],
  ['glm-4.7', 'GLM-4.7 (Coding Plan)', 202_752],
  ['glm-4.7-flash', 'GLM-4.7 Flash (Coding Plan)', 202_752],
  ['glm-4.6', 'GLM-4.6 (Coding Plan)', 202_752],
  ['glm-4.6v', 'GLM-4.6V (Coding Plan)', 131_072],
  ['glm-4.5', 'GLM-4.5 (Coding Plan)', 131_072],
  ['glm-4.5-air', 'GLM-4.5 Air (Coding Plan)', 131_072],
]);

/** BytePlus Coding Plan, official list (§2.13); `ark-code-latest` follows the console choice. */
const BYTEPLUS_CODING = planModels(ProviderId.BYTEPLUS_CODING, [
  ['bytedance-seed-code', 'ByteDance Seed Code (Coding Plan)', 262_144],
  ['dola-seed-2.0-pro', 'Dola Seed 2.0 Pro (Coding Plan)', 262_144],
  ['dola-seed-2.0-lite', 'Dola Seed 2.0 Lite (Coding Plan)', 262_144],
  ['glm-4.7', 'GLM-4.7 (BytePlus Coding Plan)', 202_752],
  ['kimi-k2.5', 'Kimi K2.5 (BytePlus Coding Plan)', 262_144],
  ['gpt-oss-120b', 'gpt-oss-120b (BytePlus Coding Plan)', 131_072],
  ['ark-code-latest', 'Ark Code latest (console-selected model)'],
]);

/** Kimi Code: Kilo's `kimi-for-coding` (262,144 context) plus the models.dev/opencode ids (§2.15). */
const KIMI_CODING = planModels(ProviderId.KIMI_CODING, [
  ['kimi-for-coding', 'Kimi for Coding', 262_144],
  ['k2p7', 'Kimi K2.7 Code (Kimi Code)', 262_144],
  ['k2p6', 'Kimi K2.6 (Kimi Code)', 262_144],
  ['k2p5', 'Kimi K2.5 (Kimi Code)', 262_144],
  ['kimi-k2-thinking', 'Kimi K2 Thinking (Kimi Code)', 262_144],
]);

/** Codestral's own endpoint (§2.16). */
const CODESTRAL = planModels(ProviderId.CODESTRAL, [
  ['codestral-latest', 'Codestral (latest)', 256_000],
  ['codestral-2508', 'Codestral 25.08', 256_000],
  ['codestral-2501', 'Codestral 25.01', 256_000],
]);

/** Neuralwatt (§2.17); `-flex` needs stream:true, which the gateway always sends. */
const NEURALWATT = planModels(ProviderId.NEURALWATT, [
  ['glm-5.2', 'GLM-5.2 (Neuralwatt)', 202_752],
  ['glm-5.2-fast', 'GLM-5.2 Fast (Neuralwatt)', 202_752],
  ['glm-5.2-flex', 'GLM-5.2 Flex (Neuralwatt)', 202_752],
  ['moonshotai/Kimi-K2.6', 'Kimi K2.6 (Neuralwatt)', 262_144],
  ['kimi-k2.6-fast', 'Kimi K2.6 Fast (Neuralwatt)', 262_144],
  ['Qwen/Qwen3.6-35B-A3B', 'Qwen3.6 35B A3B (Neuralwatt)', 262_144],
]);

/** Chutes; `-TEE` ids run in trusted execution environments (§2.14). */
const CHUTES = planModels(ProviderId.CHUTES, [
  ['zai-org/GLM-5.1-TEE', 'GLM-5.1 TEE (Chutes)', 202_752],
  ['moonshotai/Kimi-K2.6-TEE', 'Kimi K2.6 TEE (Chutes)', 262_144],
  ['deepseek-ai/DeepSeek-V3.2-TEE', 'DeepSeek V3.2 TEE (Chutes)', 163_840],
  ['MiniMaxAI/MiniMax-M2.5-TEE', 'MiniMax M2.5 TEE (Chutes)', 204_800],
  ['Qwen/Qwen3.5-397B-A17B-TEE', 'Qwen3.5 397B A17B TEE (Chutes)', 262_144],
]);

export const PLAN_MODELS: CatalogModel[] = [
  ...BYTEPLUS_CODING,
  ...CHUTES,
  ...KIMI_CODING,
  ...CODESTRAL,
  ...NEURALWATT,
  ...ZAI_CODING,
];
