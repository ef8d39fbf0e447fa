import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { CatalogModel } from '../../catalog/types';
import { ApiDialect, CredentialFormat, ProviderId, ProviderKind, type ProviderDeclaration } from '../../providers/types';

registerEnumType(ProviderId, { name: 'ProviderId' });
registerEnumType(ProviderKind, { name: 'ProviderKind' });
registerEnumType(ApiDialect, { name: 'ApiDialect' });
registerEnumType(CredentialFormat, { name: 'CredentialFormat' });

@ObjectType('Model', { simpleResolvers: true })
export class ModelType {
  @Field()
  id!: string;

  @Field()
  name!: string;

  /** BYOK providers that can serve it, in routing preference order. */
  @Field(() => [ProviderId])
  providers!: ProviderId[];

  @Field(() => Int, { nullable: true })
  contextLength!: number | null;

  static from(m: CatalogModel): ModelType {
    return Object.assign(new ModelType(), {
      id: m.id,
      name: m.name,
      providers: m.offers.map((o) => o.provider),
      contextLength: m.contextLength ?? null,
    });
  }
}

@ObjectType('Provider', { simpleResolvers: true })
export class ProviderType {
  @Field(() => ProviderId)
  id!: ProviderId;

  @Field()
  slug!: string;

  @Field()
  name!: string;

  @Field(() => ProviderKind)
  kind!: ProviderKind;

  @Field(() => ApiDialect)
  dialect!: ApiDialect;

  @Field(() => CredentialFormat)
  credentialFormat!: CredentialFormat;

  static from(p: ProviderDeclaration): ProviderType {
    return Object.assign(new ProviderType(), {
      id: p.id,
      slug: p.slug,
      name: p.name,
      kind: p.kind,
      dialect: p.dialect,
      credentialFormat: p.credentialFormat,
    });
  }
}
