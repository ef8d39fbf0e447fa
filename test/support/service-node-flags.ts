import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The node flags `npm start` runs the service with (package.json `config.nodeFlags`), so the
 * process tests and the stream bench run the service exactly as deployed.
 */
export function serviceNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8')) as { config?: { nodeFlags?: string } };
  return (pkg.config?.nodeFlags ?? '').split(' ').filter((f) => f !== '');
}
