/**
 * `wuwei report --serve`: a tiny static server for the published site on 127.0.0.1, with
 * Framework's clean URLs (`/forecast` serves forecast.html). For previews and the browser checks;
 * publishing is copying the site folder to any web server. It reads the published files only
 * (never the database, never the run lock), so the nightly run goes on while a preview is open and
 * the preview shows each new site as soon as it is published. A request it cannot read gets a 400.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WuweiError } from '../pipeline/base/errors.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.csv': 'text/csv; charset=utf-8',
  '.parquet': 'application/octet-stream',
  '.wasm': 'application/wasm',
};

export interface SiteServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Serves `siteDir` on 127.0.0.1 (port 0: any free port). */
export async function serveSite(siteDir: string, port = 0): Promise<SiteServer> {
  const root = resolve(siteDir);
  if (!existsSync(join(root, 'index.html')))
    throw new WuweiError('missing_input', `no report site in ${root}: run \`wuwei report\` first`);
  const server = createServer((request, response) => {
    const answer = (status: number, text: string) =>
      response.writeHead(status, { 'content-type': 'text/plain' }).end(text);
    if (request.method !== 'GET' && request.method !== 'HEAD') return answer(405, 'method not allowed');
    const pathname = decodedPath(request.url);
    if (pathname === null) return answer(400, 'bad request');
    const file = resolveFile(root, pathname);
    if (!file) return answer(404, 'not found');
    response.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
    if (request.method === 'HEAD') return response.end();
    // a file replaced by a publish between the check and the read ends this response, not the preview
    createReadStream(file)
      .on('error', () => response.destroy())
      .pipe(response);
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((done, fail) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      fail(
        error.code === 'EADDRINUSE'
          ? new WuweiError('bad_option', `port ${port} is in use: pick another with --port`)
          : error,
      ),
    );
    server.listen(port, '127.0.0.1', done);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, url, close: () => new Promise<void>((done) => server.close(() => done())) };
}

/** The request's path, decoded; null when it is not a valid URL or its percent-encoding is broken (`/%E0%A4%A`). */
function decodedPath(url: string | undefined): string | null {
  try {
    return decodeURIComponent(new URL(url ?? '/', 'http://localhost').pathname);
  } catch {
    return null;
  }
}

function resolveFile(root: string, pathname: string): string | null {
  const candidate = normalize(join(root, pathname));
  if (candidate !== root && !candidate.startsWith(root + sep)) return null; // no way out of the site
  if (pathname.split('/').some((part) => part.startsWith('.'))) return null; // the site marker and other dot files stay private
  const tries = pathname.endsWith('/')
    ? [join(candidate, 'index.html')]
    : [candidate, `${candidate}.html`, join(candidate, 'index.html')];
  return tries.find((path) => existsSync(path) && statSync(path).isFile()) ?? null;
}
