// Where the portal's CPU went: a V8 `.cpuprofile` (bench/suite/portal-profiler.mjs) sorted into the parts issue 19
// names, by what each sample's stack holds. Heuristic by design (function names and module URLs of the built portal and
// of Node), so it also lists the busiest leaf functions, to check the sorting against.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

type Frame = ProfileNode['callFrame'];

/** The parts, first match wins; `stack` runs from the leaf to the root. */
const PARTS: [string, (stack: Frame[]) => boolean][] = [
  ['garbage collection', (s) => s[0]!.functionName === '(garbage collector)'],
  ['the profiler itself', (s) => s.some((f) => /portal-profiler\.mjs$/.test(f.url))],
  ['AsyncLocalStorage and promise hooks', (s) => /async_hooks|async_context/.test(s[0]!.url)],
  ['gzip', (s) => s.some((f) => /node:zlib/.test(f.url) || /^(gzipSync|zlibBufferSync)$/.test(f.functionName))],
  [
    "the adapter's static-file check",
    // Near the leaf only: a page rendered after the check fails runs inside the check's callback.
    (s) =>
      s.slice(0, 4).some((f) => /^(lstatSync|sendFile|SendStream|onStat|createStaticHandler)$/.test(f.functionName)),
  ],
  [
    'API round trip: request, answer, JSON',
    (s) =>
      s.some(
        (f) =>
          /\/chunks\/api_[^/]*\.mjs$|node:_http_client|node:_http_agent/.test(f.url) ||
          f.functionName === 'parserOnIncomingClient',
      ),
  ],
  [
    'HTTP server, request and response objects',
    (s) =>
      s.some(
        (f) =>
          /node:_http_server|node:_http_outgoing|node:net$|node:internal\/(stream|streams|webstreams)|node:stream|undici|fetch/.test(
            f.url,
          ) ||
          /app\/node\.js$|ssr-adapter/.test(f.url) ||
          /^(createRequest|writeResponse|parserOnIncoming)$/.test(f.functionName),
      ),
  ],
  [
    'middleware and page cache',
    (s) => s.some((f) => /middleware|page-cache/.test(f.url) || /^(fromPageCache|secured)$/.test(f.functionName)),
  ],
  [
    'Astro rendering: the page, components, runtime',
    (s) => s.some((f) => /astro\/dist|\/chunks\/|\/pages\//.test(f.url)),
  ],
  ['other (Node, V8, timers)', () => true],
];

export interface ProfileSummary {
  /** Busy time sampled, ms (idle left out). */
  busyMs: number;
  parts: { part: string; share: number }[];
  leaves: { name: string; share: number }[];
}

export function summarizeProfile(file: string): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const partOf = new Map<number, string>();
  const classify = (id: number): string => {
    let known = partOf.get(id);
    if (known) return known;
    const stack: Frame[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.push(byId.get(at)!.callFrame);
    known = PARTS.find(([, test]) => test(stack))![0];
    partOf.set(id, known);
    return known;
  };
  const parts = new Map<string, number>();
  const leaves = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') return;
    const dt = profile.timeDeltas[i] ?? 0;
    busy += dt;
    const part = classify(id);
    parts.set(part, (parts.get(part) ?? 0) + dt);
    const leaf = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\//, '')}`;
    leaves.set(leaf, (leaves.get(leaf) ?? 0) + dt);
  });
  const share = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).map(([name, t]) => ({ name, share: busy > 0 ? t / busy : 0 }));
  return {
    busyMs: busy / 1000,
    parts: share(parts).map(({ name, share: s }) => ({ part: name, share: s })),
    leaves: share(leaves).slice(0, 15),
  };
}
