import type { UserPrincipal } from '../../auth/principal';
import type { Catalog } from '../../catalog/catalog';
import type { AppConfig } from '../../config/config';
import { AppError, badInput } from '../../errors/app-error';
import { getProvider } from '../../providers/registry';
import type { ProviderId } from '../../providers/types';
import type { ByokKeyEntity } from '../byok-keys/byok-key.entity';
import type { OwnerKeys } from './owner-keys';
import { KeyStatus } from '../byok-keys/key-status';
import type { OrganizationsService } from '../organizations/organizations.service';
import { KeySource } from '../usage/usage-enums';
import type { Candidate, RoutePlan } from './route';

/**
 * Decides who serves a completion (ARCHITECTURE.md "Routing a completion"):
 * the model's offers in preference order (or only `provider`), the owner's enabled keys for
 * them, INVALID keys only when nothing else is left, and the platform key only when the owner
 * has no key at all for the model. Never the platform key when the owner has one.
 */
export class Router {
  constructor(
    private readonly ownerKeys: OwnerKeys,
    private readonly catalog: Catalog,
    private readonly organizations: OrganizationsService,
    private readonly config: AppConfig,
  ) {}

  async plan(
    p: UserPrincipal,
    input: { model: string; organizationId?: string | null; provider?: ProviderId | null },
  ): Promise<RoutePlan> {
    const model = this.catalog.resolve(input.model);
    if (!model) throw new AppError('MODEL_NOT_FOUND', `Unknown model ${JSON.stringify(input.model.slice(0, 200))}`);
    const offers = input.provider ? model.offers.filter((o) => o.provider === input.provider) : model.offers;
    if (offers.length === 0) {
      throw badInput(`${getProvider(input.provider!).name} does not serve ${model.id}`, 'provider');
    }
    const organizationId = input.organizationId ? await this.organizations.routingOrganization(p, input.organizationId) : null;

    const owned = await this.ownerKeys.keys({ userId: p.userId, organizationId });
    // "Has a key for the model" is decided over every provider that serves it, before `provider`
    // narrows anything: otherwise naming a provider the owner has no key for (their Anthropic
    // key disabled, `provider: BEDROCK`) would reach the platform key they meant to avoid.
    const servingProviders = new Set<string>(model.offers.map((o) => o.provider));
    const modelKeys = owned.filter((k) => servingProviders.has(k.provider));
    const providers = new Set<string>(offers.map((o) => o.provider));
    const keys = modelKeys.filter((k) => providers.has(k.provider));
    const byProvider = new Map(keys.map((k) => [k.provider, k]));
    const base = { model, userId: p.userId, organizationId };

    if (modelKeys.length > 0 && keys.length === 0) {
      const named = getProvider(input.provider!).name;
      if (modelKeys.every((k) => !k.enabled)) {
        throw new AppError(
          'BYOK_KEY_DISABLED',
          `Your ${describe(modelKeys)} for ${model.id} is disabled; enable it to use this model (the platform key is not used while you have your own)`,
        );
      }
      throw new AppError(
        'NO_KEY_FOR_MODEL',
        `You have no ${named} key; your ${describe(modelKeys)} serves ${model.id}: omit provider or add a ${named} key (the platform key is not used while you have your own)`,
      );
    }
    if (keys.length > 0) {
      const enabled: Candidate[] = [];
      for (const offer of offers) {
        const key = byProvider.get(offer.provider);
        if (!key?.enabled) continue;
        enabled.push({ provider: getProvider(offer.provider), upstreamModel: offer.upstreamModel, price: offer.price, keySource: KeySource.BYOK, key });
      }
      if (enabled.length === 0) {
        // The owner has keys for this model but switched them all off: stop, do not fall back
        // to the platform's key (that would bill them for traffic they turned off).
        throw new AppError('BYOK_KEY_DISABLED', `Your ${describe(keys)} for ${model.id} is disabled; enable it to use this model`);
      }
      const usable = enabled.filter((c) => c.key!.status !== KeyStatus.INVALID);
      if (usable.length === 0) {
        throw new AppError(
          'BYOK_KEY_INVALID',
          `Your ${describe(enabled.map((c) => c.key!))} for ${model.id} was rejected by the provider; update it`,
          { keyIds: enabled.map((c) => c.key!.id) },
        );
      }
      return { ...base, candidates: usable };
    }

    const platform: Candidate[] = offers
      .filter((o) => this.config.providers[o.provider]?.platformKey)
      .map((o) => ({ provider: getProvider(o.provider), upstreamModel: o.upstreamModel, price: o.price, keySource: KeySource.PLATFORM }));
    if (platform.length === 0) {
      throw new AppError(
        'NO_KEY_FOR_MODEL',
        `No key can serve ${model.id}: add a key for ${offers.map((o) => getProvider(o.provider).name).join(' or ')}`,
      );
    }
    return { ...base, candidates: platform };
  }
}

function describe(keys: ByokKeyEntity[]): string {
  const names = keys.map((k) => `${getProvider(k.provider).name} key ${k.hint}`);
  return names.length === 1 ? names[0]! : `keys (${names.join(', ')})`;
}
