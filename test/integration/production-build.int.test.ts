import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS } from '../../migrations';
import { createCatalog } from '../../src/catalog/catalog';
import { ProviderId } from '../../src/providers/types';
import { STREAM_FIXTURES } from '../fixtures/providers/expectations';
import { dropDatabase } from '../support/app';
import { type ChatEvent, CHAT } from '../support/chat';
import { HttpGql, collect, wsClient } from '../support/gql-client';
import { ADD_KEY, GET_KEY, mockKeyInput } from '../support/keys';
import { startMockUpstream, type MockUpstream } from '../support/mock-upstream';
import { buildCompiledApp, closedPort, startServiceProcess, type ServiceProcess } from '../support/service-process';
import { TEST_ADMIN_TOKEN, TEST_ENCRYPTION_KEYS, TEST_REDIS_URL, uniqueNames } from '../support/test-env';
import { FAST_VALIDATION_ENV } from '../support/validation-env';
import { waitFor } from '../support/wait';

/** The compiled service as the image runs it: from a directory with only dist/ and node_modules. */
describe('the compiled service (node dist/main.js, NODE_ENV=production)', () => {
  let built: ReturnType<typeof buildCompiledApp> | undefined;
  let appDir: string;
  let mock: MockUpstream;
  const names = uniqueNames('prodbuild');
  let env: Record<string, string>;

  beforeAll(async () => {
    built = buildCompiledApp();
    appDir = built.dir;
    mock = await startMockUpstream();
    env = {
      NODE_ENV: 'production',
      DATABASE_URL: names.databaseUrl,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: names.queuePrefix,
      ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      HOST: '127.0.0.1',
      ...mock.env(),
      ...FAST_VALIDATION_ENV,
    };
    // The build takes ~12 s of CPU; a busy machine stretches it several-fold.
  }, 300_000);

  afterAll(async () => {
    await mock?.close();
    await dropDatabase(names.dbName);
    built?.remove();
  });

  it('holds the documented entry points and only JavaScript', () => {
    for (const entry of ['dist/main.js', 'dist/cli/main.js', 'dist/migrations/index.js', 'dist/web/index.html']) {
      expect(existsSync(join(appDir, entry))).toBe(true);
    }
    const files = readdirSync(join(appDir, 'dist'), { recursive: true, encoding: 'utf8' });
    expect(files.filter((f) => /\.ts$/.test(f) || /^(test|bench)\b/.test(f))).toEqual([]);
  });

  it('`node dist/cli/main.js db:migrate` applies every migration to a fresh database', () => {
    const run = spawnSync(process.execPath, ['dist/cli/main.js', 'db:migrate'], {
      cwd: appDir,
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
      timeout: 110_000,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(`applied: ${MIGRATIONS.map((m) => m.name).join(', ')}`);
  }, 120_000);

  it('a SIGTERM during start-up is not lost: the service stops gracefully once it is up', async () => {
    // As a container's PID 1 node gets no default action for SIGTERM: a signal before main.ts
    // installs its handler would be dropped, and `docker stop` would wait for its SIGKILL.
    // Here (not PID 1) it would kill the process on the spot instead: exit code null.
    const port = await closedPort();
    const p = startServiceProcess(['dist/main.js'], { ...env, PORT: String(port) }, appDir);
    try {
      // "serving GraphQL" is logged as the HTTP server listens, before the workers start.
      let sent = false;
      p.child.stdout!.on('data', () => {
        if (!sent && p.out().includes('serving GraphQL')) sent = p.child.kill('SIGTERM');
      });
      const { code } = await p.exited;
      expect(code).toBe(0);
      expect(p.out()).toContain('"msg":"stopped"');
    } finally {
      p.child.kill('SIGKILL');
    }
  }, 120_000);

  it('serves /readyz, a query, a key validation and a streamed completion, then stops on SIGTERM', async () => {
    const port = await closedPort();
    const p: ServiceProcess = startServiceProcess(['dist/main.js'], { ...env, PORT: String(port) }, appDir);
    const url = `http://127.0.0.1:${port}`;
    try {
      const ready = await waitFor(async () => {
        if (p.child.exitCode !== null) throw new Error(`exited ${p.child.exitCode}: ${p.out()}`);
        const res = await fetch(`${url}/readyz`);
        return res.status === 200 ? ((await res.json()) as unknown) : undefined;
      }, 'GET /readyz to answer 200', 60_000);
      expect(ready).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
      // The migrate step above already ran everything: the service found nothing to apply.
      expect(p.out()).not.toContain('applied migrations');
      // The console, from dist/web (WEB_DIST_DIR's default, relative to the working directory).
      const page = await fetch(`${url}/`, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toContain('<script type="module"');

      const gql = new HttpGql(url);
      const created = await gql.ok<{ createUser: { token: string } }>('mutation { createUser(email: "prod@example.com") { token } }', {}, TEST_ADMIN_TOKEN);
      const token = created.createUser.token;
      expect(await gql.ok(`query { me { email } }`, {}, token)).toEqual({ me: { email: 'prod@example.com' } });

      // The key is sealed with the master key and validated by the compiled worker.
      const { input, secret } = mockKeyInput(ProviderId.OPENAI, 'good');
      const key = (await gql.ok<{ addByokKey: { id: string; hint: string } }>(ADD_KEY, { input }, token)).addByokKey;
      await waitFor(async () => {
        const d = await gql.ok<{ byokKey: { status: string } }>(GET_KEY, { id: key.id }, token);
        return d.byokKey.status === 'VALID' || undefined;
      }, 'the key to validate', 60_000);

      const model = createCatalog().list(ProviderId.OPENAI)[0]!;
      const client = wsClient(url, token);
      let events: ChatEvent[];
      try {
        const sub = collect<{ chatCompletion: ChatEvent }>(client, CHAT, { input: { model: model.id, messages: [{ role: 'USER', content: 'Say hello' }] } });
        const { results, error } = await sub.done;
        expect(error).toBeUndefined();
        expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
        events = results.map((r) => r.data!.chatCompletion);
      } finally {
        await client.dispose();
      }
      expect(events[0]).toMatchObject({ type: 'START', provider: 'OPENAI', keySource: 'BYOK', keyId: key.id, keyHint: key.hint });
      const fixture = STREAM_FIXTURES[ProviderId.OPENAI];
      expect(events.filter((e) => e.type === 'DELTA').map((e) => e.content ?? '').join('')).toBe(fixture.text);
      expect(events.at(-1)).toMatchObject({ type: 'DONE', finishReason: fixture.finishReason });
      expect(mock.requests.filter((r) => r.endpoint === 'chat')).toHaveLength(1);

      const stopAt = Date.now();
      p.child.kill('SIGTERM');
      const { code } = await p.exited;
      expect(code).toBe(0);
      expect(Date.now() - stopAt).toBeLessThan(10_000);
      expect(p.out()).toContain('"msg":"stopped"');
      expect(p.out()).not.toContain(secret);
    } finally {
      p.child.kill('SIGKILL');
    }
  }, 120_000);
});
