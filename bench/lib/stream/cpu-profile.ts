/**
 * Summarizes a V8 `.cpuprofile` (node --cpu-prof): self time per function and per package,
 * optionally only over some time windows. The profile's timestamps are microseconds of the
 * system's monotonic clock, the same clock as `process.hrtime` in any process on the machine,
 * so the bench's run windows (taken in the parent) select the samples of a run.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileRow {
  name: string;
  selfMs: number;
  /** selfMs (inclusive: ms) per stream of the profiled runs, when their count is given. */
  perStreamMs?: number;
  /** Of the non-idle time in the windows. */
  pct: number;
}

export interface ProfileSummary {
  file: string;
  windows: Array<[number, number]>;
  streams?: number;
  /** Sampled time inside the windows, ms. */
  windowMs: number;
  /** Of it, busy (not idle), ms, and as % of the window: one core = 100. */
  busyMs: number;
  busyPct: number;
  topFunctions: ProfileRow[];
  byPackage: ProfileRow[];
  /** Inclusive time of selected frames (own time + everything they called), as % of busy. */
  inclusive: ProfileRow[];
}

/** Microseconds on the monotonic clock the profile uses. */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** `[startUs, endUs]` windows; none → the whole profile. */
export function summarizeCpuProfile(file: string, windows: Array<[number, number]> = [], top = 25, streams?: number): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const selfUs = new Map<number, number>();
  let t = p.startTime;
  let windowUs = 0;
  const inWindow = (ts: number): boolean => windows.length === 0 || windows.some(([a, b]) => ts >= a && ts <= b);
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    // A sample stands for the time until the next one.
    const dur = p.timeDeltas[i + 1] ?? 0;
    if (!inWindow(t) || dur <= 0) continue;
    windowUs += dur;
    const id = p.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dur);
  }

  const root = REPO_ROOT_URL();
  const label = (n: ProfileNode): string => {
    const f = n.callFrame;
    const fn = f.functionName || '(anonymous)';
    if (!f.url) return fn;
    return `${fn}  ${shortUrl(f.url, root)}:${f.lineNumber + 1}`;
  };

  const perFn = new Map<string, number>();
  const perPkg = new Map<string, number>();
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    if (n.callFrame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    const key = label(n);
    perFn.set(key, (perFn.get(key) ?? 0) + us);
    const pkg = packageOf(n.callFrame, root);
    perPkg.set(pkg, (perPkg.get(pkg) ?? 0) + us);
  }
  const busyUs = windowUs - idleUs;
  const rows = (m: Map<string, number>, limit: number): ProfileRow[] =>
    [...m.entries()]
      .sort((x, y) => y[1] - x[1])
      .slice(0, limit)
      .map(([name, us]) => ({
        name,
        selfMs: us / 1000,
        ...(streams ? { perStreamMs: us / 1000 / streams } : {}),
        pct: busyUs > 0 ? (us / busyUs) * 100 : 0,
      }));

  // Inclusive time of a few telling frames: a sample counts once per frame name on its stack.
  const inclusiveNames = new Map<string, number>();
  const stackNames = (id: number): Set<string> => {
    const names = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur)!;
      const tag = inclusiveTag(n.callFrame, root);
      if (tag) names.add(tag);
    }
    return names;
  };
  for (const [id, us] of selfUs) {
    if (byId.get(id)!.callFrame.functionName === '(idle)') continue;
    for (const name of stackNames(id)) inclusiveNames.set(name, (inclusiveNames.get(name) ?? 0) + us);
  }

  return {
    file,
    windows,
    ...(streams ? { streams } : {}),
    windowMs: windowUs / 1000,
    busyMs: busyUs / 1000,
    busyPct: windowUs > 0 ? (busyUs / windowUs) * 100 : 0,
    topFunctions: rows(perFn, top),
    byPackage: rows(perPkg, 15),
    inclusive: rows(inclusiveNames, 40),
  };
}

/** The repository's path with a trailing slash, as profile urls spell it (`file://` stripped). */
function REPO_ROOT_URL(): string {
  return `${path.resolve(__dirname, '..', '..', '..')}/`;
}

/** `src/modules/chat/chat.service.ts`, `graphql/execution/execute.js`, `node:internal/…`. */
function shortUrl(url: string, root: string): string {
  let u = url.startsWith('file://') ? url.slice('file://'.length) : url;
  if (u.startsWith(root)) u = u.slice(root.length);
  const nm = u.lastIndexOf('node_modules/');
  return nm >= 0 ? u.slice(nm + 'node_modules/'.length) : u;
}

/** `graphql`, `ws`, `src/modules/chat`, `node:internal`, `(garbage collector)`, … */
function packageOf(f: ProfileNode['callFrame'], root: string): string {
  if (!f.url) return f.functionName.startsWith('(') ? f.functionName : '(native)';
  if (f.url.startsWith('node:')) return 'node: built-ins';
  const u = shortUrl(f.url, root);
  if (f.url.includes('node_modules/')) {
    const parts = u.split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const parts = u.split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/**
 * Frames worth an inclusive figure: the gateway's own chat path, GraphQL execution, the ws
 * send path, JSON, fetch/undici, pino, the database driver.
 */
function inclusiveTag(f: ProfileNode['callFrame'], root: string): string | undefined {
  const fn = f.functionName;
  const u = f.url ? shortUrl(f.url, root) : '';
  if (u.startsWith('src/')) {
    const file = u.replace(/\.ts$/, '');
    if (fn) return `${fn} (${file})`;
    return undefined;
  }
  const pkg = f.url.includes('node_modules/') ? packageOf(f, root) : '';
  if (pkg === 'graphql' && /^(execute|subscribe|executeOperation|executeFields|completeValue|completeObjectValue|parse|validate|mapSourceToResponse|createSourceEventStream)$/.test(fn)) {
    return `graphql.${fn}`;
  }
  if (pkg === 'graphql-ws' && fn) return `graphql-ws.${fn}`;
  if (pkg === 'type-graphql' && /^(applyMiddlewares|createHandlerResolver|createBasicFieldResolver|createAdvancedFieldResolver)$/.test(fn)) return `type-graphql.${fn}`;
  if (pkg === 'ws' && /^(send|sendFrame|frame|dispatch)$/.test(fn)) return `ws.${fn}`;
  if (['pino', 'undici', 'pg', 'typeorm', 'graphql-query-complexity', '@cspotcode/source-map-support'].includes(pkg)) return pkg;
  if (f.url.startsWith('node:internal/deps/undici')) return 'undici (fetch)';
  if (fn === 'stringify' || fn === 'parse') return `JSON.${fn} (any)`;
  if (fn === '(garbage collector)') return fn;
  return undefined;
}
