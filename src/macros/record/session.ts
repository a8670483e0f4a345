import type { Logger } from '../../shared/logger.js';
import type { SecretStore } from '../../shared/ports.js';
import type { Ocr } from '../../perception/ocr/index.js';
import { buildSteps, type RecordedStep } from './build.js';
import type { CapturedSession } from './capture.js';
import { cleanupEvents, type CleanupOptions } from './cleanup.js';
import { cropsDirOf, macroSource, writeRecording } from './write.js';
import path from 'node:path';

export interface FinishOptions {
  name: string;
  /** The macro file to write; its crops go to the folder beside it. */
  file: string;
  description?: string;
  ocr: Ocr;
  secrets?: SecretStore;
  secretFields?: string[];
  cleanup?: CleanupOptions;
  logger?: Logger;
  signal?: AbortSignal;
}

export interface Recording {
  file: string;
  source: string;
  steps: RecordedStep[];
  crops: string[];
  /** Names of the typed secrets (placeholders in the macro). */
  secrets: string[];
  /** Secrets whose value could not be stored. */
  unstored: string[];
}

/** From a captured session to the macro file on disk: cleanup, evidence, YAML and crops. */
export async function finishRecording(session: CapturedSession, o: FinishOptions): Promise<Recording> {
  const actions = cleanupEvents(session.events, o.cleanup);
  const built = await buildSteps({
    name: o.name,
    actions,
    frameBefore: (i) => session.frameBefore(i),
    ...(session.final ? { final: session.final } : {}),
    ocr: o.ocr,
    cropDir: path.basename(cropsDirOf(o.file)),
    ...(o.secrets ? { secrets: o.secrets } : {}),
    ...(o.secretFields ? { secretFields: o.secretFields } : {}),
    ...(o.logger ? { logger: o.logger } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  if (built.steps.length === 0) return { file: o.file, source: '', steps: [], crops: [], secrets: [], unstored: [] };
  const description = o.description ?? `Recorded on ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`;
  const source = macroSource(o.name, description, built.steps, o.file);
  const written = writeRecording(o.file, source, built.steps);
  return { file: written.file, source, steps: built.steps, crops: written.crops, secrets: built.secrets, unstored: built.unstored };
}
