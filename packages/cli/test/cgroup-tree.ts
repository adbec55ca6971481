// cgroup-tree.ts — where ctr's groups are on this host: every `ctr` parent directory in any cgroup
// hierarchy (v1: /sys/fs/cgroup/<controller>/…/ctr, v2: /sys/fs/cgroup/…/ctr), for the tests' leak checks.
import { readdirSync, statfsSync } from 'node:fs';
import path from 'node:path';
import { CGROUP2_SUPER_MAGIC } from '@ctr/cgroups';

/** True when /sys/fs/cgroup is the cgroup2 root (the qemu guest of test/v2), false on this v1 hybrid host. */
export const isUnifiedHost = (() => {
  try {
    return Number(statfsSync('/sys/fs/cgroup').type) === CGROUP2_SUPER_MAGIC;
  } catch {
    return false;
  }
})();

/** Every directory named `ctr` within five levels of /sys/fs/cgroup. */
export function ctrParentGroups(): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 5) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      if (e.name === 'ctr') found.push(path.join(dir, e.name));
      else walk(path.join(dir, e.name), depth + 1);
    }
  };
  walk('/sys/fs/cgroup', 0);
  return found;
}

/** Every container group (`ctr/<id>`) in any hierarchy. */
export function ctrContainerGroups(): string[] {
  return ctrParentGroups().flatMap((parent) =>
    readdirSync(parent, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => path.join(parent, e.name)),
  );
}
