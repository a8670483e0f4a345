// Types of bundle.mjs (plain JavaScript: bin/deskpilot.js loads it before TypeScript can run).
export declare const ROOT: string;
export declare const BUNDLES: { readonly cli: string; readonly 'test-worker': string };
export declare function freshBundle(name: keyof typeof BUNDLES): Promise<string | null>;
export declare function ensureBundle(root: string, entry: string, out: string): Promise<string | null>;
