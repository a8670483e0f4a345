import { createOcr, setModelCacheDir, warmOcrModels } from '../../perception/ocr/index.js';
import { serveOcr } from '../../perception/ocr/server.js';
import { OCR_SERVER_DEFERRED_ENV, OCR_SERVER_ENV, type OcrServerConfig } from './protocol.js';

/** The config the CLI sends (ocr-server.ts); none if it exits first (then so does this process). */
function configMessage(): Promise<string | undefined> {
  return new Promise((resolve) => {
    process.once('message', (m: { config?: unknown }) => resolve(typeof m.config === 'string' ? m.config : undefined));
    process.once('disconnect', () => resolve(undefined));
  });
}

/**
 * Entry of a test run's OCR server (started by ocr-server.ts), a bundle of its own: the OCR and
 * the socket server, not the workers' whole bundle. It is booted while two workers boot on the
 * same cores, and its models are waited for by every worker's first screen read; from the
 * workers' bundle it took ~50 ms more CPU to reach its first line.
 * No top-level await: the bundle is one CommonJS script, run with V8's code cache.
 */

void main();

async function main(): Promise<void> {
  // Started ahead by the CLI's launcher (src/cli/prestart.mjs), the config comes as a message.
  const deferred = process.env[OCR_SERVER_DEFERRED_ENV] === '1';
  const raw = process.env[OCR_SERVER_ENV] ?? (deferred ? await configMessage() : undefined);
  if (!raw && deferred) process.exit(0); // the CLI ended without starting a run
  if (!raw) {
    process.stderr.write(`the OCR server is started by "deskpilot test" (${OCR_SERVER_ENV} is not set)\n`);
    process.exit(2);
  }
  const config = JSON.parse(raw) as OcrServerConfig;
  if (config.modelCacheDir) setModelCacheDir(config.modelCacheDir);
  const ocr = createOcr({ threads: config.threads });
  const server = await serveOcr(config.socket, ocr);
  const stop = () =>
    void server
      .close()
      .then(() => ocr.dispose())
      .finally(() => process.exit(0));
  process.once('disconnect', stop);
  process.once('SIGTERM', stop);
  process.on('SIGINT', () => undefined); // the parent decides (see test-worker.ts)
  // A model that fails to load fails each read with the reason (OcrError), as in a worker.
  await warmOcrModels(config.threads).catch(() => undefined);
}
