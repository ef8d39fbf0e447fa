import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { serviceNodeFlags } from '../../support/service-node-flags';
import { REPO_ROOT } from '../../support/service-process';
import { dockerIgnores, installedBy, packageName, parseDockerfile, words, type Stage } from '../../support/packaging';

/** Static checks of the image and compose file (no Docker engine runs where tests run). */
const read = (file: string): string => readFileSync(join(REPO_ROOT, file), 'utf8');
const pkg = JSON.parse(read('package.json')) as { devDependencies: Record<string, string>; scripts: Record<string, string> };
const lock = JSON.parse(read('package-lock.json')) as Parameters<typeof installedBy>[0];

describe('Dockerfile', () => {
  const stages = parseDockerfile(read('Dockerfile'));
  const runtime = stages.at(-1)!;
  const all = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);
  const npmInstalls = (stage: Stage) =>
    all(stage, 'RUN').flatMap((r) => r.args.split(/&&|;/)).map((c) => words(c.trim())).filter((w) => w[0] === 'npm' && ['ci', 'install', 'i'].includes(w[1]!));

  it('builds in a stage of its own with every dependency', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const build = stages.find((s) => s.name === 'build')!;
    expect(npmInstalls(build)).toEqual([expect.arrayContaining(['npm', 'ci'])]);
    expect(npmInstalls(build)[0]!.some((w) => w.startsWith('--omit'))).toBe(false);
    expect(all(build, 'RUN').some((r) => r.args === 'npm run build')).toBe(true);
    expect(pkg.scripts.build).toBe('node scripts/build.mjs'); // the service, then the console (build:web)
  });

  it('the runtime stage installs no devDependency: its one npm ci leaves out every one of them', () => {
    const installs = npmInstalls(runtime);
    expect(installs).toHaveLength(1);
    expect(installs[0]!.slice(0, 2)).toEqual(['npm', 'ci']);
    const omit = installs[0]!.filter((w) => w.startsWith('--omit=')).map((w) => w.slice('--omit='.length));
    expect(omit).toContain('dev');
    // What those flags install, by npm's rule, from the lockfile: --omit=dev alone keeps
    // typescript and ts-node (an optional peer of typeorm makes them "devOptional").
    const devOnly = installedBy(lock, omit).filter((p) => lock.packages[p]!.dev || lock.packages[p]!.devOptional);
    expect(devOnly).toEqual([]);
    // Every devDependency is then left out, but for those a production package depends on too.
    const installed = new Set(installedBy(lock, omit).map(packageName));
    expect(Object.keys(pkg.devDependencies).filter((d) => installed.has(d))).toEqual(['@types/node']);
  });

  it('--omit=optional drops only packages known to be unneeded at run time', () => {
    const withoutDev = new Set(installedBy(lock, ['dev']));
    const dropped = installedBy(lock, ['dev']).filter((p) => !installedBy(lock, ['dev', 'optional']).includes(p));
    const unneeded = [
      // ts-node, typescript and what only ts-node uses
      /^(ts-node|typescript|@tsconfig\/node\d+|@cspotcode\/source-map-support|@jridgewell\/.*|acorn|acorn-walk|arg|create-require|diff|make-error|v8-compile-cache-lib|yn)$/,
      // msgpackr's native decoder: bullmq only packs (Redis's Lua unpacks)
      /^(msgpackr-extract|@msgpackr-extract\/.*|node-gyp-build-optional-packages|detect-libc)$/,
      /^pg-cloudflare$/, // Cloudflare Workers sockets
      /^@pkgjs\/parseargs$/, // a polyfill of node:util parseArgs, built into Node 20
      // graphql-armor's optional peers: the envelop plugin API and its types; the CommonJS build
      // we load requires only graphql and its own rule packages (checked in its dist/*.cjs.prod.js)
      /^(@envelop\/.*|@whatwg-node\/promise-helpers|@escape\.tech\/graphql-armor-types)$/,
    ];
    const unknown = dropped.filter((p) => withoutDev.has(p) && !unneeded.some((re) => re.test(packageName(p))));
    // A new optional production dependency (a platform binary, say) would be missing from the
    // image: decide whether the service needs it, then adjust the Dockerfile or this list.
    expect(unknown).toEqual([]);
  });

  it('copies only the compiled dist/ from the build, plus the package manifests', () => {
    const copies = all(runtime, 'COPY').map((c) => words(c.args));
    for (const c of copies) {
      const from = c.find((w) => w.startsWith('--from='));
      const sources = c.filter((w) => !w.startsWith('--')).slice(0, -1);
      if (from) expect(sources).toEqual(['/app/dist']);
      else expect(sources.every((s) => ['package.json', 'package-lock.json', '.npmrc'].includes(s))).toBe(true);
    }
    expect(all(runtime, 'ADD')).toEqual([]);
  });

  it('runs as a non-root user, with a /readyz HEALTHCHECK and STOPSIGNAL SIGTERM', () => {
    const users = all(runtime, 'USER');
    expect(users).toHaveLength(1);
    expect(users[0]!.args).not.toMatch(/^(root|0)(:|$)/);
    const userAt = runtime.instructions.indexOf(users[0]!);
    expect(runtime.instructions.findIndex((i) => i.keyword === 'CMD')).toBeGreaterThan(userAt);
    expect(runtime.instructions.slice(userAt).some((i) => i.keyword === 'RUN')).toBe(false);

    const health = all(runtime, 'HEALTHCHECK');
    expect(health).toHaveLength(1);
    expect(health[0]!.args).toMatch(/\bCMD\b.*\/readyz/);
    expect(all(runtime, 'STOPSIGNAL').map((i) => i.args)).toEqual(['SIGTERM']);
  });

  it('starts node itself on dist/main.js with the node flags of npm start (so node receives SIGTERM)', () => {
    const cmd = all(runtime, 'CMD');
    expect(cmd).toHaveLength(1);
    expect(cmd[0]!.args.startsWith('[')).toBe(true); // exec form: no shell in between
    expect(words(cmd[0]!.args)).toEqual(['node', ...serviceNodeFlags(), 'dist/main.js']);
    expect(all(runtime, 'ENTRYPOINT')).toEqual([]);
    expect(pkg.scripts['start:prod']).toBe('node $npm_package_config_nodeFlags dist/main.js');
  });
});

describe('.dockerignore', () => {
  const patterns = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));

  it('keeps installed and built output, local secrets and bench/test output out of the context', () => {
    expect(patterns.filter((p) => /^!|\[/.test(p))).toEqual([]); // not read by dockerIgnores
    for (const path of ['node_modules', 'web/node_modules', 'dist', '.env', '.encryption-keys.dev', 'bench/results/stream.json', 'coverage', '.git', '.env.production', 'npm-debug.log']) {
      expect([path, dockerIgnores(patterns, path)]).toEqual([path, true]);
    }
    for (const path of ['src/main.ts', 'migrations/index.ts', 'package.json', 'package-lock.json', 'tsconfig.build.json', 'scripts/build.mjs']) {
      expect([path, dockerIgnores(patterns, path)]).toEqual([path, false]);
    }
  });
});

describe('docker-compose.yml', () => {
  interface Service {
    image?: string;
    build?: unknown;
    command?: string[];
    environment?: Record<string, unknown> | string[];
    env_file?: Array<string | { path: string; required?: boolean }>;
    ports?: Array<string | { host_ip?: string; published?: string | number }>;
    depends_on?: Record<string, { condition: string }>;
    profiles?: string[];
    deploy?: { replicas?: number };
    healthcheck?: { disable?: boolean };
  }
  const text = read('docker-compose.yml');
  const services = (parse(text, { merge: true }) as { services: Record<string, Service> }).services;
  const env = (s: Service): Array<[string, unknown]> =>
    Array.isArray(s.environment) ? s.environment.map((e) => [e.split('=')[0]!, e.includes('=') ? e.slice(e.indexOf('=') + 1) : null]) : Object.entries(s.environment ?? {});
  const gateways = Object.entries(services).filter(([, s]) => s.build !== undefined);

  it('passes no secret, empty or otherwise: secrets come from .env, which git and the image ignore', () => {
    expect(text).not.toMatch(/\$\{\w+:?-\}/); // "${ADMIN_TOKEN:-}" passes an empty token
    for (const [name, s] of Object.entries(services)) {
      for (const [key, value] of env(s)) {
        expect([name, key, value]).not.toEqual([name, key, '']);
        expect([name, key]).not.toEqual([name, expect.stringMatching(/KEY|TOKEN|SECRET|PASSWORD/)]);
      }
    }
    expect(gateways.length).toBeGreaterThan(0);
    for (const [, s] of gateways) expect(s.env_file).toEqual([{ path: '.env', required: false }]);
    expect(read('.gitignore').split('\n')).toContain('.env');
  });

  it('publishes Postgres and Redis on the loopback interface only', () => {
    const stores = Object.entries(services).filter(([, s]) => /^(postgres|redis)(:|$)/.test(s.image ?? ''));
    expect(stores.map(([n]) => n).sort()).toEqual(['postgres', 'redis']);
    for (const [name, s] of stores) {
      for (const port of s.ports ?? []) {
        const hostIp = typeof port === 'string' ? (port.split(':').length === 3 ? port.split(':')[0] : undefined) : port.host_ip;
        expect([name, hostIp]).toEqual([name, '127.0.0.1']);
      }
    }
  });

  it('migrates once, then starts every gateway process after healthy Postgres and Redis', () => {
    expect(services.migrate!.command).toEqual(['node', 'dist/cli/main.js', 'db:migrate']);
    expect(services.migrate!.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    for (const [name, s] of gateways.filter(([n]) => n !== 'migrate')) {
      expect([name, s.depends_on]).toEqual([
        name,
        { postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' }, migrate: { condition: 'service_completed_successfully' } },
      ]);
    }
  });

  it('shows the ROLE split: the default ROLE=all, and under a profile one worker and two API replicas', () => {
    const role = (s: Service) => env(s).find(([k]) => k === 'ROLE')?.[1];
    expect(role(services.gateway!)).toBe('all');
    expect(services.gateway!.profiles).toBeUndefined();
    expect(role(services.api!)).toBe('api');
    expect(services.api!.deploy?.replicas).toBe(2);
    expect(role(services.worker!)).toBe('worker');
    expect(services.worker!.healthcheck).toEqual({ disable: true }); // no HTTP in ROLE=worker
    expect(services.api!.profiles).toEqual(services.worker!.profiles);
    expect(services.api!.profiles?.length).toBe(1);
  });
});
