import type { ModelPrice, ResolvedModel } from '../../catalog/types';
import type { ProviderDeclaration } from '../../providers/types';
import type { ByokKeyEntity } from '../byok-keys/byok-key.entity';
import type { KeySource } from '../usage/usage-enums';

/** One way to serve the request: a provider, the id it knows the model by, and whose key. */
export interface Candidate {
  provider: ProviderDeclaration;
  upstreamModel: string;
  price: ModelPrice | null;
  keySource: KeySource;
  /** The owner's key (BYOK); undefined for the platform key. */
  key?: ByokKeyEntity;
}

/** The routing decision for one request, before any upstream call. */
export interface RoutePlan {
  model: ResolvedModel;
  /** Whose usage this is: the caller, billed to the organization when set. */
  userId: string;
  organizationId: string | null;
  /** In order: the first that answers before its first byte serves the request. */
  candidates: Candidate[];
}
