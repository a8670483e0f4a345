import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

/** Sends one file; with a root, a path that climbs out of it is a 404, not a file read. */
export async function serveFile(res: ServerResponse, file: string, opts: { root?: string; cache?: boolean } = {}): Promise<void> {
  const full = opts.root ? path.resolve(opts.root, file) : file;
  if (opts.root && !full.startsWith(path.resolve(opts.root) + path.sep)) return missing(res);
  const info = await stat(full).catch(() => undefined);
  if (!info?.isFile()) return missing(res);
  res.writeHead(200, {
    'content-type': TYPES[path.extname(full).toLowerCase()] ?? 'application/octet-stream',
    'content-length': info.size,
    'cache-control': opts.cache ? 'private, max-age=3600' : 'no-store',
    'x-content-type-options': 'nosniff',
  });
  await new Promise<void>((resolve, reject) => createReadStream(full).on('error', reject).on('end', resolve).pipe(res));
}

function missing(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('not found');
}
