import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { createLogger } from '../../../src/infra/logger';
import { mountWebConsole } from '../../../src/server/web-console';
import { LogCapture } from '../../support/log-capture';

/** The console's static serving on a bare express app: what it answers, and what it leaves alone. */
describe('mountWebConsole', () => {
  let dir: string;
  let server: Server;
  let base: string;
  const logs = new LogCapture();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'byok-web-unit-'));
    const app = express();
    // Stands in for API routes mounted before and after the console.
    app.get('/v1/models', (_req, res) => void res.json({ api: 'v1' }));
    mountWebConsole(app, dir, createLogger('debug', logs));
    app.get('/api/gateway/v1/models', (_req, res) => void res.json({ api: 'gateway' }));
    await new Promise<void>((r) => {
      server = app.listen(0, '127.0.0.1', () => r());
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  const page = { headers: { accept: 'text/html' } };

  it('before a build: says so at boot, and / answers 503 naming the command', async () => {
    expect(logs.text()).toContain('web console not built');
    const r = await fetch(`${base}/`, page);
    expect(r.status).toBe(503);
    expect(await r.text()).toContain('npm run build:web');
  });

  it('after a build: the page, its assets, client routes for browsers; API routes either side untouched', async () => {
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><div id="app"></div>');
    await writeFile(join(dir, 'assets', 'index-abc.js'), 'console.log(1)');

    const index = await fetch(`${base}/`, page);
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    const asset = await fetch(`${base}/assets/index-abc.js`);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(await (await fetch(`${base}/keys`, page)).text()).toContain('id="app"');

    expect(await (await fetch(`${base}/v1/models`, page)).json()).toEqual({ api: 'v1' });
    expect(await (await fetch(`${base}/api/gateway/v1/models`, page)).json()).toEqual({ api: 'gateway' });
    for (const path of ['/v1/chat/completions', '/api/openrouter/v1/models', '/graphql', '/healthz', '/metrics']) {
      expect([path, (await fetch(`${base}${path}`, page)).status]).toEqual([path, 404]);
    }
    // Not a browser navigation, or a missing file: 404, not the page.
    expect((await fetch(`${base}/keys`, { headers: { accept: '*/*' } })).status).toBe(404);
    expect((await fetch(`${base}/assets/missing.js`, page)).status).toBe(404);
    expect((await fetch(`${base}/keys`, { ...page, method: 'POST' })).status).toBe(404);
  });
});
