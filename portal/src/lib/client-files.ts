// Which addresses the Node adapter's static-file handler could answer (src/server.ts): the client folder's own files.
import { readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Every file under the client folder as a URL path (`/committee-redact.js`), and every folder holding an index.html
 * (the adapter answers `/a` and `/a/` with `/a/index.html`). The portal has no `base`: paths start at `/`.
 */
export function clientPaths(client: string): Set<string> {
  const root = client.startsWith('file:') ? fileURLToPath(client) : client;
  const paths = new Set<string>();
  let entries: string[];
  try {
    entries = readdirSync(root, { recursive: true, encoding: 'utf8' });
  } catch {
    return paths; // no client folder: nothing static to serve
  }
  for (const entry of entries) {
    if (statSync(join(root, entry)).isDirectory()) continue;
    const path = '/' + entry.split(sep).join('/');
    paths.add(path);
    if (path.endsWith('/index.html')) {
      const folder = path.slice(0, -'index.html'.length);
      paths.add(folder);
      if (folder !== '/') paths.add(folder.slice(0, -1));
    }
  }
  return paths;
}

/**
 * Whether the adapter's static-file handler could answer this address: its path (without query or fragment, raw or
 * %-decoded, as `send` decodes it) is a file or folder of the client folder. Anything else is a page, or a 404 the
 * pages answer, exactly as when the adapter's lookup finds nothing.
 */
export function isClientPath(url: string, paths: Set<string>): boolean {
  const path = url.split(/[?#]/, 1)[0]!;
  if (paths.has(path)) return true;
  try {
    return paths.has(decodeURIComponent(path));
  } catch {
    return true; // malformed: let the adapter answer it as it always has
  }
}
