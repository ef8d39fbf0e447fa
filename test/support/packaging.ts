/**
 * Readers for the packaging files (Dockerfile, .dockerignore, package-lock.json) that the
 * packaging test checks. Small and literal on purpose: they parse what this repository writes.
 */

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  name: string | undefined;
  instructions: Instruction[];
}

/** A Dockerfile as stages of instructions (continuation lines joined, comments dropped). */
export function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    if (pending + line !== '') logical.push(pending + line);
    pending = '';
  }
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const ins = { keyword: keyword.toUpperCase(), args: args.trim() };
    if (ins.keyword === 'FROM') stages.push({ name: /\sAS\s+(\S+)$/i.exec(ins.args)?.[1], instructions: [] });
    else stages.at(-1)?.instructions.push(ins); // ARGs before the first FROM belong to no stage
  }
  return stages;
}

/** The words of an exec-form (`["a", "b"]`) or shell-form argument. */
export function words(args: string): string[] {
  if (args.startsWith('[')) return JSON.parse(args) as string[];
  return args.split(/\s+/).filter((w) => w !== '');
}

/**
 * Whether a .dockerignore keeps `path` out of the build context, as Docker matches: each
 * pattern against the path from the context root (`*` and `?` within one name, a leading
 * `**` + `/` for any depth), a matched folder taking its contents along. `!` exceptions are not
 * read: the packaging test fails if the file gains one.
 */
export function dockerIgnores(patterns: string[], path: string): boolean {
  const regexes = patterns.map((p) => {
    const anyDepth = p.startsWith('**/');
    const body = (anyDepth ? p.slice(3) : p)
      .split('')
      .map((c) => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('');
    return new RegExp(`^${anyDepth ? '(.*/)?' : ''}${body}(/.*)?$`);
  });
  return regexes.some((re) => re.test(path));
}

interface LockPackage {
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  peer?: boolean;
}

/**
 * The packages (lockfile paths) `npm ci --omit=<types>` installs, by npm's rule: a package is
 * left out when it is dev and dev is omitted, optional and optional is omitted, peer and peer
 * is omitted, or devOptional (dev, or optional below a production package) and both dev and
 * optional are omitted.
 */
export function installedBy(lock: { packages: Record<string, LockPackage> }, omit: string[]): string[] {
  const o = new Set(omit);
  return Object.entries(lock.packages)
    .filter(([path]) => path !== '')
    .filter(([, p]) => !(
      (p.dev && o.has('dev')) ||
      (p.optional && o.has('optional')) ||
      (p.peer && o.has('peer')) ||
      (p.devOptional && o.has('dev') && o.has('optional'))
    ))
    .map(([path]) => path);
}

/** The package name of a lockfile path (`node_modules/a/node_modules/@s/b` → `@s/b`). */
export function packageName(lockPath: string): string {
  return lockPath.slice(lockPath.lastIndexOf('node_modules/') + 'node_modules/'.length);
}
