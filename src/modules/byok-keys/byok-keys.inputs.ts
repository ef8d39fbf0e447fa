import { Field, ID, InputType } from 'type-graphql';
import { ProviderId } from '../../providers/types';

@InputType('AwsCredentialsInput')
export class AwsCredentialsInput {
  @Field()
  accessKeyId!: string;

  @Field()
  secretAccessKey!: string;

  @Field()
  region!: string;

  /** For temporary credentials (ASIA…). */
  @Field(() => String, { nullable: true })
  sessionToken?: string | null;
}

@InputType('AddByokKeyInput')
export class AddByokKeyInput {
  /** Omit for a personal key. */
  @Field(() => ID, { nullable: true })
  organizationId?: string | null;

  @Field(() => ProviderId)
  provider!: ProviderId;

  /** Exactly one of apiKey / awsCredentials, as the provider's credentialFormat says. */
  @Field(() => String, { nullable: true })
  apiKey?: string | null;

  @Field(() => AwsCredentialsInput, { nullable: true })
  awsCredentials?: AwsCredentialsInput | null;
}

@InputType('UpdateByokKeyInput')
export class UpdateByokKeyInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  apiKey?: string | null;

  @Field(() => AwsCredentialsInput, { nullable: true })
  awsCredentials?: AwsCredentialsInput | null;
}
