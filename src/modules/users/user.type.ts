import { Field, ID, ObjectType } from 'type-graphql';
import { UserEntity } from './user.entity';

@ObjectType('User', { simpleResolvers: true })
export class UserType {
  @Field(() => ID)
  id!: string;

  @Field()
  email!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

  static from(e: UserEntity): UserType {
    return Object.assign(new UserType(), { id: e.id, email: e.email, name: e.name });
  }
}

@ObjectType('CreatedUser', { simpleResolvers: true })
export class CreatedUserType {
  @Field(() => UserType)
  user!: UserType;

  /** Shown once, never again. */
  @Field()
  token!: string;
}
