// bundle-loader.d.mts — the types of bundle-loader.mjs for the bins that bundle it (src/bin.ts of cli and oci).
import type { Script } from 'node:vm';

type Main = (argv: string[]) => Promise<number>;
export declare const cacheOf: (bundlePath: string) => string;
export declare function removeRunCaches(bundlePath: string, keepId?: string): void;
export declare function loadBundle(bundlePath: string, cachedData?: Buffer): { main: Main; script: Script };
export declare function runBundle(bundlePath: string, name: string, failureStatus: number, variantOf?: (argv: string[]) => string | undefined): void;
