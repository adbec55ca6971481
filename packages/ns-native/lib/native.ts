// native.ts — the raw binding's shape and its loader. Only types and the load step live here; the typed,
// validated wrappers are in the other lib/ files. The .node file is loaded at run time, never bundled
// (an ESM bundle would swallow the require of a .node file).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface NativeBinding {
  close(fd: number): void;
  netlinkOpen(netnsPath?: string): number;
  netlinkSend(fd: number, message: Buffer): void;
  netlinkRecv(fd: number, timeoutMs: number): Buffer;
}

/** Directory of the package (dist/ and lib/ both sit one level below it). */
export const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function load(): NativeBinding {
  const require = createRequire(import.meta.url);
  const tried: string[] = [];
  let last: unknown;
  for (const rel of ['build/Release/ctr_native.node', 'build/Debug/ctr_native.node']) {
    const file = path.join(packageDir, rel);
    tried.push(file);
    try {
      return require(file) as NativeBinding;
    } catch (err) {
      last = err;
      if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') break;
    }
  }
  const error = new Error(
    `failed to load ctr_native.node (tried: ${tried.join(', ')}): ${(last as Error)?.message}; ` +
      'build it with `pnpm --filter @ctr/ns-native build`',
    { cause: last },
  );
  Object.assign(error, { code: 'ERR_CTR_NATIVE_LOAD' });
  throw error;
}

export const native: NativeBinding = load();
