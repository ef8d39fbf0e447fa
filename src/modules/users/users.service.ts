import type { DataSource } from 'typeorm';
import { conflict, notFound } from '../../errors/app-error';
import { requireEmail, requireName } from '../../errors/validate';
import { isUniqueViolation } from '../../infra/pg-errors';
import { ApiTokenEntity } from '../api-tokens/api-token.entity';
import { generateToken } from '../../auth/tokens';
import { UserEntity } from './user.entity';

export class UsersService {
  constructor(private readonly db: DataSource) {}

  /**
   * Creates a user and a first API token in one transaction (an operator or the admin token
   * hands the token over; it is the only time it is visible).
   */
  async create(rawEmail: string, rawName?: string | null): Promise<{ user: UserEntity; token: string }> {
    const email = requireEmail(rawEmail);
    const name = rawName === undefined || rawName === null ? null : requireName(rawName, 'name', 200);
    const t = generateToken();
    try {
      return await this.db.transaction(async (tx) => {
        const user = await tx.getRepository(UserEntity).save(tx.getRepository(UserEntity).create({ email, name }));
        await tx.getRepository(ApiTokenEntity).insert({
          userId: user.id,
          name: 'initial',
          prefix: t.prefix,
          tokenHash: t.hash,
        });
        return { user, token: t.token };
      });
    } catch (err) {
      if (isUniqueViolation(err, 'users_email_key')) throw conflict('A user with this email already exists');
      throw err;
    }
  }

  async get(id: string): Promise<UserEntity> {
    const user = await this.db.getRepository(UserEntity).findOneBy({ id });
    if (!user) throw notFound('User');
    return user;
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.db.getRepository(UserEntity).findOneBy({ email: email.trim().toLowerCase() });
  }
}
