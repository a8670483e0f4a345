import { describe, expect, it } from 'vitest';
import {
  DEFERRED_CA_ENV,
  nodeStartEnv,
  restoreDeferredCa,
} from '../../../src/runner/suite/process-tuning.mjs';

describe('nodeStartEnv (a worker or OCR server starts without NODE_EXTRA_CA_CERTS)', () => {
  const person = { PATH: '/usr/bin', NODE_EXTRA_CA_CERTS: '/etc/corp-ca.pem' };

  it('drops it for a process that opens no TLS connection and starts nothing', () => {
    expect(nodeStartEnv(person, { tls: false, forChildren: false })).toEqual({ PATH: '/usr/bin' });
  });

  it('keeps it for its children, who get it back as the person set it', () => {
    const env = nodeStartEnv(person, { tls: false, forChildren: true });
    expect(env['NODE_EXTRA_CA_CERTS']).toBeUndefined();
    expect(env[DEFERRED_CA_ENV]).toBe('/etc/corp-ca.pem');
    restoreDeferredCa(env);
    expect(env).toEqual(person);
  });

  it('leaves it where the process itself may call a model endpoint over https', () => {
    expect(nodeStartEnv(person, { tls: true, forChildren: true })).toEqual(person);
  });

  it('changes nothing where it is not set', () => {
    const env = { PATH: '/usr/bin' };
    expect(nodeStartEnv(env, { tls: false, forChildren: true })).toEqual(env);
    restoreDeferredCa(env);
    expect(env).toEqual({ PATH: '/usr/bin' });
  });
});
