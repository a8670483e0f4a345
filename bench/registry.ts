import { captureBench } from './capture.bench.js';
import { elementsBench } from './elements.bench.js';
import { engineBench } from './engine.bench.js';
import { modelCallsBench } from './model-calls.bench.js';
import type { Benchmark } from './harness.js';
import { incrementalOcrBench } from './incremental-ocr.bench.js';
import { memoryBench } from './memory.bench.js';
import { macroRobustnessBench } from './macro-robustness.bench.js';
import { ocrBench } from './ocr.bench.js';
import { ocrGraphBench } from './ocr-graph.bench.js';
import { replayOverheadBench } from './replay-overhead.bench.js';
import { runnerBench } from './runner.bench.js';
import { spawnBench } from './spawn.bench.js';
import { storageBench } from './storage.bench.js';
import { typingBench } from './typing.bench.js';
import { templateBench } from './template.bench.js';

/** Every benchmark `npm run bench` knows, in the order they run. Add yours to this list. */
export const benchmarks: Benchmark[] = [storageBench, captureBench, typingBench, ocrBench, ocrGraphBench, incrementalOcrBench, memoryBench, templateBench, elementsBench, engineBench, modelCallsBench, runnerBench, macroRobustnessBench, replayOverheadBench, spawnBench];
