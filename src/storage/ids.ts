import { randomUUID } from 'node:crypto';

let lastMs = 0;
let seq = 0;

/**
 * Time-ordered ids: within one process their text order is their creation order, so lists can
 * sort by id when two records share a millisecond. The random tail keeps processes apart.
 */
export function newId(): string {
  const now = Date.now();
  if (now === lastMs) seq += 1;
  else {
    lastMs = now;
    seq = 0;
  }
  return now.toString(36).padStart(9, '0') + seq.toString(36).padStart(3, '0') + randomTail();
}

export function nowIso(): string {
  return new Date().toISOString();
}

/** 48 random bits. randomUUID draws from a cached entropy pool; randomBytes costs a syscall per id. */
function randomTail(): string {
  const u = randomUUID();
  return u.slice(0, 8) + u.slice(9, 13);
}
