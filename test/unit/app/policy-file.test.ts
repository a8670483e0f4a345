import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '../../../src/app/engine-setup.js';
import { Config } from '../../../src/shared/config.js';
import { Step } from '../../../src/shared/steps.js';

const work = mkdtempSync(path.join(tmpdir(), 'deskpilot-policy-file-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the policy file named in the config', () => {
  it('extends the default policy', () => {
    const file = path.join(work, 'policy.yaml');
    writeFileSync(file, 'version: 1\nrules:\n  - id: approve\n    class: pay\n    says: approves an invoice\n    kinds: [click]\n    target_words: [approve]\n');
    const policy = loadPolicy(Config.parse({ safety: { policyFile: file } }));
    const click = (text: string) => Step.parse({ kind: 'click', target: { text } });
    expect(policy.classify({ step: click('Approve') }).matches[0]).toMatchObject({ ruleId: 'approve', class: 'pay' });
    expect(policy.classify({ step: click('Delete') }).action).toBe('confirm'); // the defaults still apply
  });

  it('names the file when it cannot be read or is wrong', () => {
    expect(() => loadPolicy(Config.parse({ safety: { policyFile: path.join(work, 'missing.yaml') } }))).toThrow(/safety.policyFile: cannot read .*missing\.yaml \(ENOENT\)/);
    const bad = path.join(work, 'bad.yaml');
    writeFileSync(bad, 'version: 1\nrules:\n  - id: x\n    kinds: [click]\n');
    expect(() => loadPolicy(Config.parse({ safety: { policyFile: bad } }))).toThrow(/bad\.yaml:3:\d+: rules\.0\./);
  });
});
