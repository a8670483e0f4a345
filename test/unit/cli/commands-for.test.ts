import { describe, expect, it } from 'vitest';
import { commandsFor } from '../../../src/cli/program.js';

// `deskpilot <command>` loads only that command's module; help and typos need all of them.
describe('commands a command line needs', () => {
  const all = commandsFor([]);

  it('is the command named, after global options and their values', () => {
    expect(commandsFor(['test', 'examples/**/*.yaml'])).toEqual(['test']);
    expect(commandsFor(['--data-dir', 'run', '--log-level', 'debug', 'test', 'x.yaml'])).toEqual(['test']);
    expect(commandsFor(['--json', 'bench', 'grounding'])).toEqual(['bench']);
  });

  it('is none for --version and all of them for help, a typo or no command', () => {
    expect(commandsFor(['--version'])).toEqual([]);
    expect(all).toContain('test');
    expect(all.length).toBeGreaterThan(10);
    expect(commandsFor(['--help'])).toEqual(all);
    expect(commandsFor(['tset'])).toEqual(all);
    expect(commandsFor(['help', 'test'])).toEqual(all);
  });
});
