// Types of bundle.mjs (plain JavaScript: bin/deskpilot.js loads it before TypeScript can run).
export declare const ROOT: string;
export declare const BUNDLES: { readonly cli: string; readonly 'test-worker': string; readonly 'ocr-server': string };
/** Packages bundled in, loaded from node_modules through require(), or loaded at first use. */
export interface Packages {
  bundled: Set<string>;
  native: Set<string>;
  lazy: Set<string>;
}
export declare const PACKAGES: Packages;
export declare function freshBundle(name: keyof typeof BUNDLES): Promise<string | null>;
export declare function ensureBundle(root: string, entry: string, out: string, packages?: Packages): Promise<string | null>;
