/* eslint-disable no-console -- the CLI talks to a terminal */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '../config/config';
import { generateMasterKey } from '../crypto/master-keys';
import { AppError } from '../errors/app-error';
import { createDataSource, ensureDatabase } from '../infra/database';
import { UsersService } from '../modules/users/users.service';
import { DependencyError, checkDependencies } from '../boot-checks';
import { printAppSchema } from '../server/schema';
import { parseArgs } from './args';

const USAGE = `Usage: npm run cli -- <command>

  user:create <email> [--name NAME]   create a user; prints its id and a first API token (JSON)
  db:migrate                          create the database if missing and run pending migrations
  schema:print [--out FILE]           write the GraphQL schema (default schema.graphql)
  keys:generate [--id ID]             print a new ENCRYPTION_KEYS entry (id:base64)`;

type Command = (args: ReturnType<typeof parseArgs>) => Promise<void>;

async function withDatabase<T>(fn: (db: ReturnType<typeof createDataSource>) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env, { warn: (m) => console.error(`warning: ${m}`) });
  await checkDependencies({ ...config });
  await ensureDatabase(config.databaseUrl);
  const db = createDataSource(config.databaseUrl);
  await db.initialize();
  try {
    await db.runMigrations({ transaction: 'each' });
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

const COMMANDS: Record<string, Command> = {
  'user:create': async ({ positional, flags }) => {
    const email = positional[0];
    if (!email) throw new AppError('BAD_USER_INPUT', 'user:create needs an email');
    const out = await withDatabase((db) => new UsersService(db).create(email, flags.name ?? null));
    console.log(JSON.stringify({ id: out.user.id, email: out.user.email, name: out.user.name, token: out.token }, null, 2));
  },
  'db:migrate': async () => {
    await withDatabase(async (db) => {
      const pending = await db.showMigrations();
      console.log(pending ? 'migrations were pending and have been applied' : 'database is up to date');
    });
  },
  'schema:print': async ({ flags }) => {
    const out = resolve(flags.out ?? 'schema.graphql');
    writeFileSync(out, await printAppSchema());
    console.log(`wrote ${out}`);
  },
  'keys:generate': async ({ flags }) => {
    console.log(generateMasterKey(flags.id ?? `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`));
  },
};

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const command = args.command ? COMMANDS[args.command] : undefined;
  if (!command) {
    console.error(USAGE);
    process.exit(args.command ? 2 : 0);
  }
  try {
    await command(args);
  } catch (err) {
    if (err instanceof AppError || err instanceof ConfigError || err instanceof DependencyError) {
      console.error(`error: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}

void main();
