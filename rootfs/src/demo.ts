// demo.ts — places the static demo programs of @ctr/demo-apps in a tree: all of them in /usr/local/bin,
// and /server and /threads-cpu as hard links at the root, where the seed assignment runs them from.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { buildDir, programs } from '@ctr/demo-apps';
import { RootfsError } from './errors.js';
import type { TreeOp } from './tree-ops.js';

const AT_ROOT = ['server', 'threads-cpu'];

/**
 * Plans the demo programs' placement from their build directory.
 * @throws RootfsError `ENODEMO` when they are not built
 */
export async function demoOps(): Promise<TreeOp[]> {
  const ops: TreeOp[] = [];
  for (const name of programs) {
    const hostPath = join(buildDir, name);
    const st = await stat(hostPath).catch((err: unknown) => {
      throw new RootfsError('ENODEMO', `demo program ${name} is not built: run \`pnpm --filter @ctr/demo-apps build\``, {
        path: hostPath,
        cause: err,
      });
    });
    ops.push({ kind: 'file', treePath: `/usr/local/bin/${name}`, hostPath, mode: 0o755, size: st.size, mtimeMs: st.mtimeMs });
  }
  for (const name of AT_ROOT) ops.push({ kind: 'hardlink', treePath: `/${name}`, existing: `/usr/local/bin/${name}` });
  return ops;
}
