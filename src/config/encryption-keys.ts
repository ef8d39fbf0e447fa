import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { generateMasterKey, parseMasterKeys } from '../crypto/master-keys';
import { ConfigError } from './config-error';

/** Where development keeps its generated master key (git-ignored). */
export const DEV_KEY_FILE = resolve(process.cwd(), '.encryption-keys.dev');

/**
 * ENCRYPTION_KEYS is `id:base64,id:base64` (first active). Production refuses to start
 * without it; development and test generate one into a git-ignored file and say so loudly,
 * because losing that file makes every stored key undecryptable.
 */
export function resolveEncryptionKeys(
  env: 'development' | 'production' | 'test',
  value: string | undefined,
  notices: { warn(msg: string): void },
): string {
  if (value && value.trim() !== '') {
    try {
      parseMasterKeys(value);
    } catch (err) {
      throw new ConfigError(`Invalid configuration:\n  ${(err as Error).message}`);
    }
    return value.trim();
  }
  if (env === 'production') {
    throw new ConfigError(
      'Invalid configuration:\n  ENCRYPTION_KEYS: required in production, as `id:base64-of-32-bytes` ' +
        '(generate one with `npm run cli -- keys:generate`)',
    );
  }
  if (existsSync(DEV_KEY_FILE)) return readFileSync(DEV_KEY_FILE, 'utf8').trim();
  const generated = generateMasterKey('dev1');
  writeFileSync(DEV_KEY_FILE, `${generated}\n`, { mode: 0o600 });
  notices.warn(
    `ENCRYPTION_KEYS is not set: generated a development master key into ${DEV_KEY_FILE}. ` +
      'Keys stored with it are unreadable without that file. Set ENCRYPTION_KEYS in production.',
  );
  return generated;
}
