/**
 * `wuwei report --serve`: the preview server answers Framework's clean URLs from the site folder,
 * nothing outside it, and says plainly when there is no site to serve.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WuweiError } from '../../pipeline/base/errors.ts';
import { serveSite } from '../../reports/serve.ts';
import { rawStatus } from '../helpers/raw-status.ts';
import { tempDir } from '../helpers/temp.ts';

describe('serveSite', () => {
  const tmp = tempDir('wuwei-serve-');
  afterAll(() => tmp.cleanup());

  it('serves pages by clean URL with their content type, 404 for anything else, and nothing outside the site', async () => {
    const site = join(tmp.dir, 'site');
    mkdirSync(join(site, '_file', 'data'), { recursive: true });
    writeFileSync(join(site, 'index.html'), '<h1>Overview</h1>');
    writeFileSync(join(site, 'deals.html'), '<h1>Deals</h1>');
    writeFileSync(join(site, '_file', 'data', 'deals.json'), '{"deals":[]}');
    writeFileSync(join(tmp.dir, 'secret.txt'), 'not for the web');
    const server = await serveSite(site);
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const get = async (path: string) => {
        const response = await fetch(`${server.url}${path}`);
        return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
      };
      expect(await get('/')).toMatchObject({
        status: 200,
        body: '<h1>Overview</h1>',
        type: 'text/html; charset=utf-8',
      });
      expect(await get('/deals')).toMatchObject({ status: 200, body: '<h1>Deals</h1>' });
      expect(await get('/_file/data/deals.json')).toMatchObject({ status: 200, type: 'application/json' });
      expect((await get('/missing')).status).toBe(404);
      // fetch would normalise '..' away; an encoded slash reaches the server as '/../secret.txt' once decoded.
      expect(await rawStatus(server.url, '/..%2Fsecret.txt')).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('refuses a folder without a built site', async () => {
    const error = await serveSite(join(tmp.dir, 'nothing')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WuweiError);
    expect((error as WuweiError).message).toMatch(/no report site .* run `wuwei report` first/);
  });
});
