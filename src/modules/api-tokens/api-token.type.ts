import { Field, ID, ObjectType } from 'type-graphql';
import type { ApiTokenEntity } from './api-token.entity';

@ObjectType('ApiToken', { simpleResolvers: true })
export class ApiTokenType {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  /** Visible start of the token, e.g. `byok_3Fq9xK2a`, to tell tokens apart. */
  @Field()
  prefix!: string;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  lastUsedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  revokedAt!: Date | null;

  static from(e: ApiTokenEntity): ApiTokenType {
    return Object.assign(new ApiTokenType(), {
      id: e.id,
      name: e.name,
      prefix: e.prefix,
      createdAt: e.createdAt,
      lastUsedAt: e.lastUsedAt,
      revokedAt: e.revokedAt,
    });
  }
}

@ObjectType('CreatedApiToken', { simpleResolvers: true })
export class CreatedApiTokenType {
  /** Shown once, never again. */
  @Field()
  token!: string;

  @Field(() => ApiTokenType)
  apiToken!: ApiTokenType;
}
