import { request } from 'node:http';

/** The status of a GET sent with its path exactly as written (fetch would normalise or re-encode it). */
export function rawStatus(base: string, path: string): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((done, fail) => {
    const req = request({ hostname, port, path, method: 'GET' }, (response) => {
      response.resume();
      done(response.statusCode ?? 0);
    });
    req.on('error', fail);
    req.end();
  });
}
