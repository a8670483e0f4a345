import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createOcr, type Ocr, type OcrImage } from '../../../src/perception/ocr/index.js';
import { connectOcr, serveOcr } from '../../../src/perception/ocr/server.js';
import { ocrServerEntry } from '../../../src/cli/commands/test.js';
import { startOcrServer } from '../../../src/runner/suite/ocr-server.js';
import { VALUED } from '../../../src/cli/program.js';
import { prestartOcrServer, runsIsolatedTests, VALUED_OPTIONS } from '../../../src/cli/prestart.mjs';
import type { ChildProcess } from 'node:child_process';
import { loadPng } from './render.js';

/**
 * The OCR server `deskpilot test` runs for its workers: real models behind a real Unix socket,
 * against the same OCR in this process. Only the read area's pixels travel, so a region read
 * must come back in the whole image's coordinates, exactly as a local region read.
 */

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/${name}`, import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'deskpilot-ocr-server-'));
const local = createOcr();
const served = createOcr();
const clients: Ocr[] = [];
afterAll(async () => {
  await Promise.all([local.dispose(), served.dispose(), ...clients.map((c) => c.dispose())]);
  rmSync(dir, { recursive: true, force: true });
});

function client(socket: string, options?: Parameters<typeof connectOcr>[1]): Ocr {
  const c = connectOcr(socket, options);
  clients.push(c);
  return c;
}

describe('OCR server', () => {
  it('reads what the local OCR reads, whole screens and regions, for clients reading at once', async () => {
    const socket = path.join(dir, 'a.sock');
    const server = await serveOcr(socket, served);
    try {
      const screen = await loadPng(fixture('ocr/xterm-mousepad-screen.png'));
      const menu = await loadPng(fixture('screenspot/gtk_mousepad_search_menu.png'));
      const region = { x: 600, y: 280, width: 680, height: 520 };
      const [one, two] = [client(socket), client(socket)];
      // Two workers' reads in flight together, each answered with its own.
      const [whole, part, other] = await Promise.all([
        one.recognize(screen),
        one.recognize(screen, { region }),
        two.recognize(menu),
      ]);
      expect(whole).toEqual(await local.recognize(screen));
      expect(part).toEqual(await local.recognize(screen, { region }));
      expect(other).toEqual(await local.recognize(menu));
      // Really read, really moved back: the Mousepad dialog's text sits inside the region.
      const warning = part.lines.find((l) => l.text.startsWith('Warning'));
      expect(warning?.box.x).toBeGreaterThan(region.x + 100);
      expect(warning?.box.y).toBeGreaterThan(region.y + 60);
      expect(whole.lines.length).toBeGreaterThan(part.lines.length);
    } finally {
      await server.close();
    }
  });

  it('waits for a server that starts after the first read was asked for', async () => {
    const socket = path.join(dir, 'late.sock');
    const image = await loadPng(fixture('ocr/xterm-screen.png'));
    const reading = client(socket).recognize(image);
    await new Promise((r) => setTimeout(r, 300));
    const server = await serveOcr(socket, served);
    try {
      expect(await reading).toEqual(await local.recognize(image));
    } finally {
      await server.close();
    }
  });

  it('fails with the socket named, or goes on with its fallback, when the server is gone', async () => {
    const socket = path.join(dir, 'gone.sock');
    const image: OcrImage = await loadPng(fixture('ocr/xterm-screen.png'));
    const server = await serveOcr(socket, served);
    const plain = client(socket, { connectMs: 200 });
    const reasons: string[] = [];
    const withFallback = client(socket, { connectMs: 200, fallback: () => createOcr(), onFallback: (r) => reasons.push(r) });
    const expected = await local.recognize(image);
    expect(await withFallback.recognize(image)).toEqual(expected);
    expect(reasons).toEqual([]);
    await server.close();
    await expect(plain.recognize(image)).rejects.toThrow(`cannot reach the OCR server at ${socket}`);
    expect(await withFallback.recognize(image)).toEqual(expected);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toContain(socket);
  });

  it("a test run's server: its own process and bundle read for the workers, and it exits with the run", async () => {
    const handle = startOcrServer(dir, await ocrServerEntry(), path.join(dir, 'data'));
    expect(handle?.pid).toBeGreaterThan(0);
    const image = await loadPng(fixture('ocr/xterm-screen.png'));
    // No fallback: a read that the server process does not answer fails.
    const reads = client(handle!.socket, { connectMs: 20_000 });
    try {
      expect(await reads.recognize(image)).toEqual(await local.recognize(image));
    } finally {
      await handle!.close();
    }
    expect(() => process.kill(handle!.pid!, 0)).toThrow();
  }, 60_000);

  it('started ahead by the launcher: waits for its config, then reads; exits without one', async () => {
    const ahead = globalThis as { __deskpilotOcrServer?: ChildProcess };
    await prestartOcrServer(['--data-dir', dir, 'test', 'tasks.yaml']);
    const early = ahead.__deskpilotOcrServer;
    expect(early?.pid).toBeGreaterThan(0);
    const handle = startOcrServer(dir, await ocrServerEntry(), path.join(dir, 'data'));
    expect(ahead.__deskpilotOcrServer).toBeUndefined();
    expect(handle?.pid).toBe(early!.pid); // the server started ahead, not a second one
    const image = await loadPng(fixture('ocr/xterm-screen.png'));
    try {
      expect(await client(handle!.socket, { connectMs: 20_000 }).recognize(image)).toEqual(await local.recognize(image));
    } finally {
      await handle!.close();
    }
    // One the CLI never configures (a usage error, --help) ends when the CLI's channel closes.
    await prestartOcrServer(['test', 'tasks.yaml']);
    const unused = ahead.__deskpilotOcrServer!;
    ahead.__deskpilotOcrServer = undefined;
    const exited = new Promise<number | null>((resolve) => unused.once('exit', (code) => resolve(code)));
    unused.disconnect();
    expect(await exited).toBe(0);
  }, 60_000);

  it('is started ahead only for test runs on private displays, reading the global options as the CLI does', () => {
    expect(runsIsolatedTests(['test', 'a.yaml'])).toBe(true);
    expect(runsIsolatedTests(['--data-dir', 'test', 'test', 'a.yaml', '--workers', '2'])).toBe(true);
    expect(runsIsolatedTests(['--data-dir', 'test', 'run', 'test'])).toBe(false);
    for (const flag of ['--no-isolate', '--list', '--help', '-h']) expect(runsIsolatedTests(['test', 'a.yaml', flag])).toBe(false);
    expect(runsIsolatedTests(['--version'])).toBe(false);
    expect(new Set(VALUED_OPTIONS)).toEqual(VALUED);
  });

  it('does not wait for the socket of a server whose process is gone', async () => {
    const socket = path.join(dir, 'never.sock');
    const image = await loadPng(fixture('ocr/xterm-screen.png'));
    const reasons: string[] = [];
    // A minute of retries if it waited: the test's own timeout would end it first.
    const ocr = client(socket, { connectMs: 60_000, serverAlive: () => false, fallback: () => createOcr(), onFallback: (r) => reasons.push(r) });
    expect(await ocr.recognize(image)).toEqual(await local.recognize(image));
    expect(reasons).toEqual([`cannot reach the OCR server at ${socket}: its process is gone`]);
  });
});
