import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '../config/config';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config';
import { Keyring } from '../crypto/envelope';
import { generateMasterKey, parseMasterKeys } from '../crypto/master-keys';
import { rewrapAllKeys } from '../modules/byok-keys/rewrap';
import { AppError } from '../errors/app-error';
import { createDataSource, ensureDatabase } from '../infra/database';
import { UsersService } from '../modules/users/users.service';
import { DependencyError, checkDependencies } from '../boot-checks';
import { printAppSchema } from '../server/schema';
import { parseArgs } from './args';
import { chatCommand } from './chat';

const USAGE = `Usage: npm run cli -- <command>

  user:create <email> [--name NAME]   create a user; prints its id and a first API token (JSON)
  db:migrate                          create the database if missing and run pending migrations
  schema:print [--out FILE]           write the GraphQL schema (default schema.graphql)
  chat <prompt> --model M --token T   stream a completion from a running gateway
       [--url http://localhost:4000] [--org ORGANIZATION_ID]
  keys:generate [--id ID]             print a new ENCRYPTION_KEYS entry (id:base64)
  keys:rewrap [--batch-size N]        re-wrap every stored key under the active (first) master key;
                                      waits for rows another transaction holds; resumable; exits 1
                                      and lists every row it did not re-wrap (undecryptable or locked)`;

type Command = (args: ReturnType<typeof parseArgs>) => Promise<void>;

interface DbCommandContext {
  db: DataSource;
  config: AppConfig;
  /** Names of the migrations this run applied. */
  applied: string[];
}

async function withDatabase<T>(fn: (c: DbCommandContext) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env, { warn: (m) => console.error(`warning: ${m}`) });
  await checkDependencies(config);
  await ensureDatabase(config.databaseUrl);
  const db = createDataSource(config.databaseUrl);
  await db.initialize();
  try {
    const applied = (await db.runMigrations({ transaction: 'each' })).map((m) => m.name);
    return await fn({ db, config, applied });
  } finally {
    await db.destroy();
  }
}

const COMMANDS: Record<string, Command> = {
  'user:create': async ({ positional, flags }) => {
    const email = positional[0];
    if (!email) throw new AppError('BAD_USER_INPUT', 'user:create needs an email');
    const out = await withDatabase(({ db }) => new UsersService(db).create(email, flags.name ?? null));
    console.log(JSON.stringify({ id: out.user.id, email: out.user.email, name: out.user.name, token: out.token }, null, 2));
  },
  'db:migrate': async () => {
    await withDatabase(async ({ applied }) => {
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
    });
  },
  'schema:print': async ({ flags }) => {
    const out = resolve(flags.out ?? 'schema.graphql');
    writeFileSync(out, await printAppSchema());
    console.log(`wrote ${out}`);
  },
  'keys:rewrap': async ({ flags }) => {
    await withDatabase(async ({ db, config }) => {
      const keyring = new Keyring(parseMasterKeys(config.encryptionKeys));
      console.log(`re-wrapping every key under the active master key ${keyring.activeKeyId}`);
      const report = await rewrapAllKeys(db, keyring, {
        batchSize: flags['batch-size'] ? Number(flags['batch-size']) : 100,
        onBatch: (done) => console.log(`  ${done} re-wrapped so far`),
      });
      console.log(JSON.stringify({ rewrapped: report.rewrapped, alreadyCurrent: report.alreadyCurrent, failed: report.failed }, null, 2));
      if (report.failed.length > 0) {
        console.error(
          `${report.failed.length} key(s) were NOT re-wrapped (listed under "failed"): keep the old master keys in ENCRYPTION_KEYS and run keys:rewrap again`,
        );
        process.exitCode = 1;
      }
    });
  },
  chat: async ({ positional, flags }) => {
    const prompt = positional.join(' ');
    if (!prompt || !flags.token || !flags.model) {
      throw new AppError('BAD_USER_INPUT', 'chat needs a prompt, --model MODEL and --token TOKEN');
    }
    await chatCommand({ url: flags.url ?? 'http://localhost:4000', token: flags.token, model: flags.model, prompt, organizationId: flags.org });
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
    if (args.command === 'chat') {
      console.error(`error: ${(err as Error).message}`);
      process.exit(1);
    }
    throw err;
  }
}

void main();
