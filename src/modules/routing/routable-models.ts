import type { UserPrincipal } from '../../auth/principal';
import type { Catalog } from '../../catalog/catalog';
import type { CatalogModel, ModelOffer } from '../../catalog/types';
import type { AppConfig } from '../../config/config';
import { KeySource } from '../usage/usage-enums';
import { KeyStatus } from '../byok-keys/key-status';
import type { OrganizationsService } from '../organizations/organizations.service';
import type { OwnerKeys } from './owner-keys';

/** A catalog model the caller can route now, and the offer and key source that would serve it. */
export interface RoutableModel {
  model: CatalogModel;
  offer: ModelOffer;
  keySource: KeySource;
}

/**
 * The catalog models a request from this caller would be routed for right now, in catalog
 * order: the same rules as Router.plan without `provider` (ARCHITECTURE.md "Routing a
 * completion"): with any owner key for the model, only an enabled key not known INVALID counts
 * (never the platform key); with none, a configured platform key. `organizationId` is checked
 * for membership (NOT_FOUND otherwise), once for the whole list. Passthrough ids are not listed.
 */
export class RoutableModels {
  constructor(
    private readonly ownerKeys: OwnerKeys,
    private readonly catalog: Catalog,
    private readonly organizations: OrganizationsService,
    private readonly config: AppConfig,
  ) {}

  async list(p: UserPrincipal, organizationId: string | null): Promise<RoutableModel[]> {
    const orgId = organizationId ? await this.organizations.routingOrganization(p, organizationId) : null;
    const keys = await this.ownerKeys.keys({ userId: p.userId, organizationId: orgId });
    const byProvider = new Map(keys.map((k) => [k.provider as string, k]));
    const out: RoutableModel[] = [];
    for (const model of this.catalog.list()) {
      const owned = model.offers.filter((o) => byProvider.has(o.provider));
      if (owned.length > 0) {
        const usable = owned.find((o) => {
          const k = byProvider.get(o.provider)!;
          return k.enabled && k.status !== KeyStatus.INVALID;
        });
        if (usable) out.push({ model, offer: usable, keySource: KeySource.BYOK });
        continue;
      }
      const platform = model.offers.find((o) => this.config.providers[o.provider]?.platformKey);
      if (platform) out.push({ model, offer: platform, keySource: KeySource.PLATFORM });
    }
    return out;
  }
}
