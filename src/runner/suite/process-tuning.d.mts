// Types of process-tuning.mjs (plain JS: the CLI's launcher imports it before TypeScript loads).
export declare const OCR_SERVER_DEFERRED_ENV: 'DESKPILOT_OCR_SERVER_DEFERRED';
export declare const WORKER_NODE_FLAGS: readonly string[];
export declare const WORKER_MALLOC: {
  readonly MALLOC_MMAP_THRESHOLD_: string;
  readonly MALLOC_TRIM_THRESHOLD_: string;
};
export declare const DEFERRED_CA_ENV: 'DESKPILOT_NODE_EXTRA_CA_CERTS';
export declare function nodeStartEnv(env: NodeJS.ProcessEnv, o: { tls: boolean; forChildren: boolean }): NodeJS.ProcessEnv;
export declare function restoreDeferredCa(env?: NodeJS.ProcessEnv): void;
