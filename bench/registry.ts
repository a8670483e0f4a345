import { captureBench } from './capture.bench.js';
import type { Benchmark } from './harness.js';
import { storageBench } from './storage.bench.js';
import { typingBench } from './typing.bench.js';

/** Every benchmark `npm run bench` knows, in the order they run. Add yours to this list. */
export const benchmarks: Benchmark[] = [storageBench, captureBench, typingBench];
