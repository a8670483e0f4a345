// The spawn broker: a tiny plain-JS process (run by node without tsx) that starts short helper
// programs (xdotool, xclip, xrandr, sh) for a big parent. Forking a process that holds the OCR
// models costs 15-40 ms of page-table copying per spawn; forking this one costs ~1 ms.
// Protocol (IPC, serialization 'advanced'), see run-program.ts:
//   parent -> broker: {id, file, args, env, cwd?, input?, timeoutMs?, until, detach?}  or  {kill: id}
//   broker -> parent: {id, code, signal, stdout, stderr, timedOut}  or  {id, pid} (detach: an app
//   started and left running)  or  {id, error: {message, code}}
// The broker reaps its children, and the parent reaps the broker (stopSpawnBroker waits for its
// exit), so their CPU still ends up in the parent's cutime/cstime.
import { spawn } from 'node:child_process';

/** @type {Map<number, import('node:child_process').ChildProcess>} */
const running = new Map();

process.on('message', (m) => {
  if (m.kill !== undefined) running.get(m.kill)?.kill('SIGKILL');
  else start(m);
});
// The parent ended or let go: so does the broker (children already started keep running, as
// they would after their parent's exit with a direct spawn).
process.on('disconnect', () => process.exit(0));

function start(job) {
  if (job.detach) return launch(job);
  let done = false;
  let timedOut = false;
  let timer;
  const reply = (r) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    running.delete(job.id);
    if (process.connected) process.send({ id: job.id, ...r });
  };
  let child;
  try {
    child = spawn(job.file, job.args, {
      env: job.env,
      ...(job.cwd ? { cwd: job.cwd } : {}),
      stdio: [job.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
  } catch (err) {
    reply({ error: { message: err.message, code: err.code } });
    return;
  }
  running.set(job.id, child);
  const out = [];
  const errs = [];
  child.stdout.on('data', (d) => out.push(d));
  child.stderr.on('data', (d) => errs.push(d));
  child.on('error', (err) => reply({ error: { message: err.message, code: err.code } }));
  // 'exit' where the caller asks for it: xclip -i forks a child that keeps the pipes open.
  child.on(job.until === 'close' ? 'close' : 'exit', (code, signal) =>
    reply({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(errs), timedOut }),
  );
  if (job.timeoutMs > 0)
    timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
    }, job.timeoutMs);
  if (job.input !== undefined) {
    child.stdin.on('error', () => undefined); // a program that exits without reading its input
    child.stdin.end(job.input);
  }
}


/** An app left running: its own session (process group), output ignored; replied to once started. */
function launch(job) {
  const reply = (r) => process.connected && process.send({ id: job.id, ...r });
  let child;
  try {
    child = spawn(job.file, job.args, { env: job.env, ...(job.cwd ? { cwd: job.cwd } : {}), detached: true, stdio: 'ignore' });
  } catch (err) {
    reply({ error: { message: err.message, code: err.code } });
    return;
  }
  child.once('error', (err) => reply({ error: { message: err.message, code: err.code } }));
  child.once('spawn', () => {
    child.unref();
    reply({ pid: child.pid });
  });
}
