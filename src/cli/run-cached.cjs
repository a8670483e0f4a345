'use strict';
// Launcher of a start-up bundle built as one CommonJS script (src/cli/bundle.mjs copies this file
// next to NAME.code.cjs as NAME.cjs). It runs the bundle with V8's code cache: the bytecode of the
// functions a run compiled is saved beside the bundle (NAME.code.cjs.v8cache) and read by the
// next start, which then skips parsing and compiling them. A test worker's start spent ~0.1 s of
// CPU compiling its bundle; with the cache it is ~70-90 ms less. Node 20 has no code cache for ES
// modules, hence a CommonJS bundle. A cache V8 rejects (another Node, other V8 flags, a damaged
// file) is ignored and written again; a folder that cannot be written just means no cache.
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

const file = __filename.replace(/\.cjs$/, '.code.cjs');
// The CLI's global options that take a value (src/cli/program.ts; a test keeps the two equal).
const VALUED_OPTIONS = ['--config', '--data-dir', '--log-level', '--display'];
/** The command a command line names (`--data-dir D test x.yaml` → "test"), or '' (`--version`). */
function commandOf(args) {
  for (let i = 0; i < args.length; i++) {
    if (VALUED_OPTIONS.includes(args[i])) i++;
    else if (!args[i].startsWith('-')) return /^[a-z][a-z-]{0,30}$/.test(args[i]) ? args[i] : '';
  }
  return '';
}
// A cache holds only the functions that the run which wrote it compiled. So each command of a CLI
// run keeps one: a cache written by `deskpilot --version` (0.6 MB) left `deskpilot test` to
// compile its task file parsing (~60 ms more CPU) while its workers start.
const role = commandOf(process.argv.slice(2)).replace(/[^a-z0-9-]/gi, '');
const cacheFile = `${file}${role ? `.${role}` : ''}.v8cache`;
let cachedData;
if (process.env.DESKPILOT_NO_CODE_CACHE !== '1') {
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // the first run of this build: written below
  }
}
// Node's CommonJS wrapper, plus __dpImport: the bundle's import() of packages left to Node. In a
// script compiled from the code cache, Node 20 cannot run import() itself (see bundle.mjs).
const wrapper = ['(function (exports, require, module, __filename, __dirname, __dpImport) { ', '\n})'];
const script = new vm.Script(wrapper[0] + fs.readFileSync(file, 'utf8') + wrapper[1], { filename: file, cachedData });
if (process.env.DESKPILOT_NO_CODE_CACHE !== '1' && (!cachedData || script.cachedDataRejected)) {
  // At exit the cache holds every function the run compiled (worker processes keep their
  // bytecode: --no-flush-bytecode), so the next start finds the first task's code compiled too.
  process.once('exit', () => {
    const temp = `${cacheFile}.${process.pid}`;
    try {
      fs.writeFileSync(temp, script.createCachedData());
      fs.renameSync(temp, cacheFile); // whole or not at all, whichever process writes last
    } catch {
      try {
        fs.rmSync(temp, { force: true });
      } catch {
        // nothing was written
      }
    }
  });
}
const bundle = new Module(file, module);
bundle.filename = file;
bundle.paths = Module._nodeModulePaths(path.dirname(file));
script.runInThisContext()(bundle.exports, Module.createRequire(file), bundle, file, path.dirname(file), (specifier) => import(specifier));
