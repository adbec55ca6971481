// runtimes.ts — the OCI runtimes the engine tests put under podman and containerd, and the rootfs their image
// is made from. runc is the control: a case that fails with runc is a harness fault, not a runtime's.
// CTR_ENGINES_RUNTIME (comma-separated names, or NAME=/abs/path) picks the runtimes; by default runc and ctrun, so
// both run in CI and a case that passes with runc but fails with ctrun is ctrun's fault.
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasTmux, isRoot } from '@ctr/test-utils';
import { defaultRootfs } from '../../../cli/test/helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export { defaultRootfs };

/** The `ctrun` bin as built (`#!/usr/bin/env node`, executable): engines exec it like any runtime binary. */
export const ctrunPath = path.resolve(here, '../../dist/cli.js');

const DEFAULT = 'runc,ctrun';

export interface Runtime {
  /** the name podman's containers.conf knows it by (its `runtime_supports_json` matches on names) */
  name: string;
  /** absolute path of the binary the engine executes */
  path: string;
}

/** The absolute path of an executable `program` on PATH, or undefined. */
export function which(program: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    const file = path.join(dir, program);
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** `NAME` (ctrun: this package's build; others: found on PATH) or `NAME=/abs/path` (e.g. another build). */
function resolve(item: string): Runtime {
  const [name, given] = item.split('=', 2) as [string, string | undefined];
  if (given !== undefined) {
    if (!path.isAbsolute(given) || !existsSync(given)) throw new Error(`CTR_ENGINES_RUNTIME: ${item}: the path must be absolute and exist`);
    return { name, path: given };
  }
  if (name === 'ctrun') return { name, path: ctrunPath };
  const found = which(name);
  if (!found) throw new Error(`CTR_ENGINES_RUNTIME names ${name}, which is not on PATH: install it or leave it out`);
  return { name, path: found };
}

/** The runtimes chosen for this run, e.g. `CTR_ENGINES_RUNTIME=ctrun`, `runc,ctrun,crun` or `ctrun=/x/cli.js`. */
export const runtimes: Runtime[] = (process.env.CTR_ENGINES_RUNTIME || DEFAULT)
  .split(',')
  .map((n) => n.trim())
  .filter(Boolean)
  .map(resolve);

/** What an engine suite needs, for skipUnless: root, `programs` (name → present), tmux, the rootfs, ctrun built. */
export function engineNeeds(programs: Record<string, boolean>): Record<string, boolean> {
  return {
    root: isRoot,
    ...programs,
    tmux: hasTmux,
    'rootfs/default (pnpm ctr rootfs build)': existsSync(defaultRootfs),
    'packages/oci/dist/cli.js (pnpm build)': !runtimes.some((r) => r.path === ctrunPath) || existsSync(ctrunPath),
  };
}
