import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  expandGlobs,
  globToRegExp,
  parseShard,
  planSuite,
  shardTasks,
} from '../../../src/runner/suite/plan.js';

describe('sharding', () => {
  const list = Array.from({ length: 10 }, (_, i) => `t${i}`);

  it('task i goes to shard (i mod n)+1: shards are disjoint and together hold every task', () => {
    const shards = [1, 2, 3].map((i) => shardTasks(list, i, 3));
    expect(shards[0]).toEqual(['t0', 't3', 't6', 't9']);
    expect(shards[1]).toEqual(['t1', 't4', 't7']);
    expect(shards.flat().sort()).toEqual([...list].sort());
  });

  it('parses i/n and rejects nonsense', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, total: 4 });
    for (const bad of ['0/3', '4/3', '1/0', 'a/b', '2'])
      expect(() => parseShard(bad)).toThrow(/--shard must be i\/n/);
  });
});

describe('globs and the plan', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'deskpilot-plan-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, 'suite', 'deep'), { recursive: true });
  writeFileSync(
    path.join(dir, 'suite', 'b.yaml'),
    'tasks:\n  - id: b2\n    steps: [press a]\n    tags: [slow]\n  - id: b1\n    steps: [press a]\n',
  );
  writeFileSync(path.join(dir, 'suite', 'deep', 'a.yaml'), 'id: a1\nsteps: [press a]\n');
  writeFileSync(path.join(dir, 'suite', 'notes.txt'), 'not a task');

  it('** matches any depth, * one segment, {a,b} alternatives', async () => {
    expect(globToRegExp('examples/**/*.yaml').test('examples/x.yaml')).toBe(true);
    expect(globToRegExp('examples/**/*.yaml').test('examples/a/b/x.yaml')).toBe(true);
    expect(globToRegExp('examples/*.yaml').test('examples/a/x.yaml')).toBe(false);
    expect(globToRegExp('*.{yaml,json}').test('t.json')).toBe(true);
    expect(await expandGlobs(['suite/**/*.yaml'], dir)).toEqual(['suite/b.yaml', 'suite/deep/a.yaml']);
  });

  it('sorts tasks by file then id, then --grep (ids, titles, @tags), then --shard', async () => {
    const all = await planSuite(['suite/**/*.yaml'], { cwd: dir });
    expect(all.tasks.map((t) => t.spec.id)).toEqual(['b1', 'b2', 'a1']);
    const slow = await planSuite(['suite/**/*.yaml'], { cwd: dir, grep: /@slow/ });
    expect(slow.tasks.map((t) => t.spec.id)).toEqual(['b2']);
    const notSlow = await planSuite(['suite/**/*.yaml'], { cwd: dir, grepInvert: /@slow/ });
    expect(notSlow.tasks.map((t) => t.spec.id)).toEqual(['b1', 'a1']);
    const both = await planSuite(['suite/**/*.yaml'], { cwd: dir, grep: /b/, grepInvert: /@slow/ });
    expect(both.tasks.map((t) => t.spec.id)).toEqual(['b1']);
    const shard2 = await planSuite(['suite/**/*.yaml'], { cwd: dir, shard: { index: 2, total: 2 } });
    expect(shard2.tasks.map((t) => t.spec.id)).toEqual(['b2']);
  });

  it('--repeat-each n: each task n times, next to each other, before sharding spreads them', async () => {
    const runs = (plan: Awaited<ReturnType<typeof planSuite>>) => plan.tasks.map((t) => `${t.spec.id}#${t.repeat}`);
    const twice = await planSuite(['suite/**/*.yaml'], { cwd: dir, repeatEach: 2 });
    expect(runs(twice)).toEqual(['b1#1', 'b1#2', 'b2#1', 'b2#2', 'a1#1', 'a1#2']);
    const shard = await planSuite(['suite/**/*.yaml'], { cwd: dir, repeatEach: 2, grep: /b/, shard: { index: 1, total: 2 } });
    expect(runs(shard)).toEqual(['b1#1', 'b2#1']);
    const once = await planSuite(['suite/**/*.yaml'], { cwd: dir, repeatEach: 1 });
    expect(once.tasks.every((t) => t.repeat === undefined)).toBe(true);
  });
});
