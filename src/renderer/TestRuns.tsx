import type { DeskApi } from '../shared/ipc.js';

/** The Test runs screen (issue 9). */
export function TestRuns({ api }: { api: DeskApi }) {
  void api;
  return <section className="panel" aria-label="Test runs" />;
}
