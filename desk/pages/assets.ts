import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { z } from 'zod';
import { route, type DeskRoute } from '../api/route';
import { DeskError } from '../errors';

// The pages' own style sheet and script, and the Sarabun font from its npm package
// (@fontsource/sarabun): served by the desk itself, nothing from a CDN. Three routes in the
// route table rather than @fastify/static, so the walk over the table sees them as public.

const OWN = join(__dirname, 'assets');
const FONTS = dirname(require.resolve('@fontsource/sarabun/400.css'));

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.svg': 'image/svg+xml',
};

// A name with no slash and no dot-dot: a file in that folder and nowhere else.
const FileName = z.object({ file: z.string().regex(/^[a-z0-9][a-z0-9-]*\.(css|js|woff2|woff|svg)$/) });

function fileRoute(url: string, folder: string, maxAge: number): DeskRoute {
  return route({
    method: 'GET',
    url,
    auth: 'public',
    schema: { hide: true, params: FileName },
    async handler(request, reply) {
      const path = join(folder, request.params.file);
      const found = await stat(path).catch(() => null);
      if (!found?.isFile()) throw new DeskError(404, 'not-found', `ไม่พบไฟล์ ${request.params.file} (no such asset)`);
      return reply
        .type(TYPES[extname(path)])
        .header('content-length', found.size)
        .header('cache-control', `public, max-age=${maxAge}`)
        .send(createReadStream(path));
    },
  });
}

export function assetRoutes(): DeskRoute[] {
  return [
    fileRoute('/assets/:file', OWN, 300),
    fileRoute('/assets/fonts/:file', FONTS, 86_400),
    fileRoute('/assets/fonts/files/:file', join(FONTS, 'files'), 86_400),
  ];
}
