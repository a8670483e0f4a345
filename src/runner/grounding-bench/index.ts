/** The grounding yardstick: ScreenSpot-format datasets, scoring, per-sample reports. */
export { readDataset, BenchSample, type Dataset, type DatasetRow } from './dataset.js';
export { targetsFor } from './targets.js';
export {
  runGroundingBench,
  summarize,
  median,
  loadImageFrame,
  type BenchOptions,
  type BenchResult,
  type BenchSummary,
  type SampleResult,
  type Tally,
} from './bench.js';
export { writeBenchReport, type WrittenReport } from './report.js';
