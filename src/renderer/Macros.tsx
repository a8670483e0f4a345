import type { DeskApi } from '../shared/ipc.js';

/** The Macros screen (issue 9). */
export function Macros({ api }: { api: DeskApi }) {
  void api;
  return <section className="panel" aria-label="Macros" />;
}
