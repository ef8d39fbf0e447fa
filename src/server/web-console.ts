import { existsSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import express, { type Express, type Request } from 'express';
import type { Logger } from '../infra/logger';

/**
 * Paths the console never answers, so API routes keep their own 404s and errors whatever order
 * they are mounted in (the REST doors live under /v1, /api/openrouter and /api/gateway).
 */
const API_PREFIXES = ['/graphql', '/v1', '/api', '/healthz', '/readyz', '/metrics'];

/**
 * The page may talk only to this origin (GraphQL over HTTP and WebSocket) and load only its own
 * files: no CDN, no inline script, nothing to exfiltrate a pasted key to.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  // 'self' covers the same origin's ws:/wss: (CSP Level 3), so no other socket host is allowed.
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function isApiPath(path: string): boolean {
  return API_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`));
}

/**
 * Serves the built console (web/, built by `npm run build:web` into `dir`) at `/`: its files, and
 * index.html for any other GET that asks for HTML (client-side routes such as /usage). Hashed
 * assets are cached for a year; index.html is revalidated so a new build shows at once.
 */
export function mountWebConsole(app: Express, dir: string, logger: Logger): void {
  const root = resolve(dir);
  const index = join(root, 'index.html');
  const assets = join(root, 'assets') + sep;
  if (!existsSync(index)) {
    logger.warn({ dir: root }, 'web console not built: run `npm run build:web` (npm start does it first)');
  }
  const setSecurityHeaders = (res: express.Response): void => {
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
  };
  const files = express.static(root, {
    index: false,
    redirect: false,
    fallthrough: true,
    setHeaders: (res, path) => {
      setSecurityHeaders(res);
      // Vite names assets by content hash: a new build never reuses a name.
      res.setHeader('Cache-Control', path.startsWith(assets) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });

  app.use((req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isApiPath(req.path)) return next();
    if (req.path === '/' || req.path === '/index.html') return sendIndex(res);
    files(req, res, (err?: unknown) => {
      if (err || !wantsPage(req)) return next(err);
      sendIndex(res);
    });
  });

  function sendIndex(res: express.Response): void {
    if (!existsSync(index)) {
      res.status(503).type('text/plain').send('The web console is not built yet: run `npm run build:web`.\n');
      return;
    }
    setSecurityHeaders(res);
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  }
}

/**
 * A browser navigation: HTML named in Accept (not just `*\/*`, so API clients and probes get a
 * 404) and a path that does not look like a missing file.
 */
function wantsPage(req: Request): boolean {
  return (req.headers.accept ?? '').includes('text/html') && !/\.[A-Za-z0-9]+$/.test(req.path);
}
