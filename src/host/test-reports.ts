import { realpath } from 'node:fs/promises';
import path from 'node:path';

/** Where the host serves a test run's reports: `/test-reports/<runId>/<file in its output folder>`. */
export const TEST_REPORTS_ROUTE = '/test-reports/';

const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The file a report URL asks for, or undefined when it must not be served: an unknown-looking
 * run id, a path that is not valid percent-encoding, a NUL, or anything that ends up outside
 * that run's own output folder (`..`, an absolute path, a symlink pointing out). `rest` is the
 * URL path after the run id, still percent-encoded.
 */
export async function reportFile(runsDir: string, runId: string, rest: string): Promise<string | undefined> {
  if (!RUN_ID.test(runId)) return undefined;
  let rel: string;
  try {
    rel = decodeURIComponent(rest);
  } catch {
    return undefined;
  }
  if (rel === '' || rel.includes('\0') || rel.includes('\\') || path.isAbsolute(rel)) return undefined;
  if (rel.split('/').some((part) => part === '..')) return undefined;
  const root = path.resolve(runsDir, runId);
  const full = path.resolve(root, rel);
  if (!full.startsWith(root + path.sep)) return undefined;
  // The lexical check passed; a symlink inside the folder must not lead out of it either.
  const [realRoot, realFull] = await Promise.all([
    realpath(root).catch(() => undefined),
    realpath(full).catch(() => undefined),
  ]);
  if (!realRoot || !realFull || !realFull.startsWith(realRoot + path.sep)) return undefined;
  return realFull;
}

/** Splits `/test-reports/<id>/<rest>`; undefined for any other path. */
export function reportRoute(pathname: string): { runId: string; rest: string } | undefined {
  if (!pathname.startsWith(TEST_REPORTS_ROUTE)) return undefined;
  const tail = pathname.slice(TEST_REPORTS_ROUTE.length);
  const slash = tail.indexOf('/');
  if (slash <= 0) return undefined;
  return { runId: tail.slice(0, slash), rest: tail.slice(slash + 1) };
}
