import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { linkOrCopy } from '../suite/keep-screenshots.js';
import { loadErrorAt, taskName, type AttemptResult, type StepReport, type SuiteResult, type TaskResult } from '../suite/results.js';
import type { CheckResult } from '../tasks/evaluate.js';
import { failureReason, seconds, type Reporter } from './reporter.js';

/**
 * A report a person opens in a browser: one self-contained folder (index.html + the PNGs it
 * shows, linked or copied from where the run kept them). Per task its status and reason; per step the
 * screenshot with the target box and click point drawn, the after-screenshot, the step text,
 * how the target was found, the model's reasoning and the timings; and the evaluator's checks
 * with actual vs expected. Screenshots are the engine's, already masked for secrets.
 */
export class HtmlReporter implements Reporter {
  readonly name = 'html';
  constructor(private readonly outputDir: string) {}

  async finish(result: SuiteResult): Promise<string> {
    const dir = path.join(this.outputDir, 'html');
    await rm(dir, { recursive: true, force: true });
    await mkdir(path.join(dir, 'shots'), { recursive: true });
    const images = new ImageCopier(dir);
    const sections: string[] = [];
    for (const [i, t] of result.tasks.entries()) sections.push(await taskHtml(t, i, images));
    await images.done();
    const file = path.join(dir, 'index.html');
    await writeFile(file, page(result, sections.join('\n')));
    return file;
  }
}

class ImageCopier {
  private readonly copies: Promise<void>[] = [];
  constructor(private readonly dir: string) {}

  /** Copies a screenshot next to the report and returns its relative src. */
  add(file: string | undefined, name: string): string | undefined {
    if (!file) return undefined;
    const rel = `shots/${name}${path.extname(file) || '.png'}`;
    this.copies.push(linkOrCopy(file, path.join(this.dir, rel)).then(() => undefined));
    return rel;
  }

  async done(): Promise<void> {
    await Promise.all(this.copies);
  }
}

async function taskHtml(t: TaskResult, i: number, images: ImageCopier): Promise<string> {
  // An expected failure still shows why it failed: that is what a person checks it for.
  const why = t.ok && t.status !== 'expected_failure' && t.status !== 'skipped' ? undefined : (failureReason(t) ?? t.status);
  const reason = why ? `<p class="reason">${esc(why)}</p>` : '';
  const attempts = t.attempts.map((a) =>
    attemptHtml(a, `t${i}-a${a.attempt}`, images, a === t.attempts.at(-1)),
  );
  return `<section class="task ${t.status === 'skipped' ? 'skipped' : t.ok ? 'ok' : 'bad'}" id="task-${esc(t.id)}${t.repeat ? `-${t.repeat}` : ''}" data-status="${t.status}" data-ok="${t.ok}">
<h2><span class="badge ${t.status}">${t.status.replace('_', ' ')}</span> ${esc(taskName(t.id, t.repeat))} <small>${esc(t.file)} · ${seconds(t.durationMs)} s${t.tags.length ? ' · ' + t.tags.map((x) => '@' + esc(x)).join(' ') : ''}</small></h2>
${t.title ? `<p>${esc(t.title)}</p>` : ''}${reason}
${(await Promise.all(attempts)).join('\n')}
</section>`;
}

function attemptHtml(a: AttemptResult, key: string, images: ImageCopier, open: boolean): Promise<string> {
  const steps = a.steps.map((s) => stepHtml(s, `${key}-s${s.index}`, images)).join('\n');
  const verdict = a.verdict ? verdictHtml(a.verdict.checks, a.verdict.conj, a.verdict.passed) : '';
  return Promise.resolve(`<details class="attempt"${open ? ' open' : ''}><summary>attempt ${a.attempt}: <b>${a.status}</b>${a.display ? ` on ${esc(a.display)}` : ''} · ${seconds(a.durationMs)} s${a.error ? ` — ${esc(a.error.message)}` : ''}</summary>
${phasesHtml(a)}${steps ? `<ol class="steps">${steps}</ol>` : '<p>no steps ran</p>'}
${verdict}
<details class="log"><summary>log</summary><pre>${esc(a.log.join('\n'))}</pre></details>
</details>`);
}

/**
 * Where the attempt's time went: each phase's wall time, then the CPU the worker, the task's apps
 * and the display's X server and window manager used (a slow task waits or computes).
 */
function phasesHtml(a: AttemptResult): string {
  if (!a.phases) return '';
  const wall = Object.entries(a.phases)
    .map(([name, p]) => `${esc(name)} ${seconds(p.wallMs)} s`)
    .join(' · ');
  const workerMs = Object.values(a.phases).reduce((sum, p) => sum + p.cpuMs, 0);
  const cpu = [`worker ${seconds(workerMs)} s`];
  if (a.cpu) {
    // Apps that ended before the task did (a terminal closed by ctrl+d) took their CPU time with them.
    const apps = a.cpu.appsMs === undefined ? 'apps not measured (ended before the task)' : `apps ${seconds(a.cpu.appsMs)} s`;
    cpu.push(apps, `X server and window manager ${seconds(a.cpu.displayMs)} s`);
  }
  return `<div class="phases">${wall} — CPU: ${cpu.join(', ')}</div>\n`;
}

function stepHtml(s: StepReport, key: string, images: ImageCopier): string {
  const shot = images.add(s.annotated ?? s.before, `${key}-before`);
  const after = images.add(s.after, `${key}-after`);
  const r = s.resolution;
  const found = r
    ? `found by <b>${esc(r.source)}</b> (${Math.round(r.confidence * 100)}%) at ${Math.round(r.point.x)}, ${Math.round(r.point.y)}${r.text ? ` — “${esc(r.text)}”` : ''}`
    : '';
  const timings = Object.entries(s.timings)
    .map(([k, v]) => `${esc(k)} ${Math.round(v)} ms`)
    .join(' · ');
  return `<li class="step ${s.outcome}">
<div class="head"><span class="badge ${s.outcome}">${s.outcome}</span> <code>${esc(s.text)}</code> <small>${Math.round(s.durationMs)} ms</small></div>
${found ? `<div>${found}</div>` : ''}${s.thought ? `<div class="thought">model: ${esc(s.thought)}</div>` : ''}${s.error ? `<div class="reason">${esc(s.error.message)}</div>` : ''}
${timings ? `<div class="timings">${timings}</div>` : ''}
<div class="shots">${shot ? figure(shot, s.annotated ? 'before (target and click drawn)' : 'before') : ''}${after ? figure(after, 'after') : ''}</div>
</li>`;
}

function figure(src: string, caption: string): string {
  return `<figure><a href="${esc(src)}"><img src="${esc(src)}" alt="${esc(caption)}" loading="lazy"></a><figcaption>${esc(caption)}</figcaption></figure>`;
}

function verdictHtml(checks: CheckResult[], conj: string, passed: boolean): string {
  const rows = checks
    .map(
      (c) =>
        `<tr class="${c.passed ? 'ok' : 'bad'}"><td>${c.passed ? '✓' : '✗'}</td><td>${esc(c.getter)}</td><td>${esc(c.comparison)}</td><td><pre>${esc(JSON.stringify(c.expected, null, 1))}</pre></td><td><pre>${c.actual === null ? '<i>no value</i>' : esc(c.actual)}</pre>${c.detail ? `<div class="reason">${esc(c.detail)}</div>` : ''}</td></tr>`,
    )
    .join('\n');
  return `<div class="verdict"><h3>evaluator (${esc(conj)}): ${passed ? 'passed' : 'failed'}</h3>
<table><thead><tr><th></th><th>getter</th><th>comparison</th><th>expected</th><th>actual</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function page(result: SuiteResult, body: string): string {
  const c = result.counts;
  const summary = `${result.ok ? 'PASSED' : 'FAILED'} — ${c.passed + c.flaky + c.expected_failure} of ${result.tasks.length} ok (${c.flaky} flaky, ${c.failed} failed, ${c.error} errors, ${c.load_error} load errors${c.skipped ? `, ${c.skipped} skipped` : ''}) in ${seconds(result.durationMs)} s, ${result.workers} worker(s)`;
  const loadErrors = result.loadErrors.length
    ? `<section class="task bad" data-status="load_error" data-ok="false"><h2>task files that could not be read</h2><ul>${result.loadErrors.map((e) => `<li class="reason">${esc(`${loadErrorAt(e)}: ${e.message}`)}</li>`).join('')}</ul></section>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>DeskPilot test report</title>
<style>
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}
h1{font-size:1.4em}h2{font-size:1.1em;margin:.2em 0}small{color:#666;font-weight:normal}
.task{background:#fff;border:1px solid #ddd;border-left:6px solid #3a3;padding:.6em 1em;margin:1em 0;border-radius:4px}
.task.bad{border-left-color:#c33}.reason{color:#b00;white-space:pre-wrap}
.badge{display:inline-block;padding:0 .5em;border-radius:3px;font-size:.85em;background:#ddd}
.badge.passed,.badge.succeeded,.badge.expected_failure{background:#cfc}.badge.flaky{background:#fe9}
.badge.failed,.badge.error,.badge.unexpected_pass,.badge.denied{background:#fcc}.task.skipped{border-left-color:#aaa}.task.skipped .reason{color:#555}
.steps{padding-left:1.5em}.step{margin:.6em 0}.thought{color:#555;font-style:italic}.timings,.phases{color:#777;font-size:.85em}
.shots{display:flex;gap:1em;flex-wrap:wrap}figure{margin:.3em 0}img{max-width:480px;border:1px solid #ccc}figcaption{font-size:.8em;color:#666}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2em .5em;vertical-align:top;text-align:left}tr.bad td{background:#fee}
pre{margin:0;white-space:pre-wrap;max-width:40em}
.filters button{font:inherit;margin:0 .3em .3em 0;padding:.1em .6em;border:1px solid #bbb;border-radius:1em;background:#fff;cursor:pointer}
.filters button[aria-pressed=true]{background:#333;color:#fff;border-color:#333}
body[data-filter=notok] section.task[data-ok=true]{display:none}
${FILTERS.map((st) => `body[data-filter=${st}] section.task:not([data-status=${st}])`).join(',')}{display:none}
</style></head><body>
<h1>DeskPilot test report</h1>
<p class="summary" data-ok="${result.ok}">${esc(summary)} · started ${esc(result.startedAt)}${result.shard ? ` · shard ${result.shard.index}/${result.shard.total}` : ''}</p>
${filters(result)}
${loadErrors}
${body}
<script>${FILTER_SCRIPT}</script>
</body></html>
`;
}

/** The statuses a person can filter the report by (plus "all" and "not ok"). */
const FILTERS = ['passed', 'failed', 'error', 'flaky', 'expected_failure', 'unexpected_pass', 'skipped', 'load_error'] as const;

/**
 * Buttons that show all tasks, the ones not ok (failed, errors, unexpected passes, load errors),
 * or one status, with counts; only the statuses this run has. The choice is kept in the address
 * (#filter=failed), so a link can open the report on the failures.
 */
function filters(result: SuiteResult): string {
  const count = (st: string) => (st === 'load_error' ? result.loadErrors.length : result.tasks.filter((t) => t.status === st).length);
  const notOk = result.tasks.filter((t) => !t.ok).length + result.loadErrors.length;
  const button = (filter: string, label: string, n: number) =>
    `<button type="button" data-filter="${filter}" aria-pressed="${filter === 'all'}">${esc(label)} (${n})</button>`;
  const buttons = [
    button('all', 'all', result.tasks.length + result.loadErrors.length),
    ...(notOk ? [button('notok', 'not ok', notOk)] : []),
    ...FILTERS.filter((st) => count(st) > 0).map((st) => button(st, st.replace('_', ' '), count(st))),
  ];
  return `<nav class="filters" aria-label="show tasks">${buttons.join('')}</nav>`;
}

const FILTER_SCRIPT = `
const show = (f) => {
  document.body.dataset.filter = f;
  for (const b of document.querySelectorAll('.filters button')) b.setAttribute('aria-pressed', String(b.dataset.filter === f));
  history.replaceState(null, '', f === 'all' ? location.pathname : '#filter=' + f);
};
document.querySelector('.filters').addEventListener('click', (e) => {
  const b = e.target.closest('button');
  if (b) show(b.dataset.filter);
});
const wanted = /filter=([a-z_]+)/.exec(location.hash);
if (wanted && document.querySelector('.filters button[data-filter=' + wanted[1] + ']')) show(wanted[1]);
`;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
