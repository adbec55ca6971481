// device-probe.ts — what a container may do with device nodes, asked from inside with the rootfs's own sh and
// mknod: for each node, whether mknod worked and what opening it read-write (or read-only) answered. Nodes go
// in the container's /dev, a tmpfs of its own (not /tmp: that is the shared rootfs, and --read-only's /tmp is
// nodev, which would refuse every open for another reason). Shared by the v1 e2e and the v2 guest suites.
import { statSync } from 'node:fs';

export interface NodeSpec {
  /** file name below /dev inside the container */
  name: string;
  type: 'c' | 'b';
  major: number;
  minor: number;
}

export interface NodeResult {
  mknod: string;
  /** 'ok' or the shell's error, e.g. 'Operation not permitted' */
  open: string;
}

/** The major:minor of the host's root filesystem device (`stat -c %d /`), as a block node. */
export function rootDisk(): NodeSpec {
  const dev = statSync('/').dev;
  return { name: 'rootdisk', type: 'b', major: (dev >>> 8) & 0xfff, minor: (dev & 0xff) | ((dev >>> 12) & 0xfff00) };
}

// One line per node and per existing path: "NAME mknod=…" and "NAME open=…" with the error text after "open=".
const errorText = (line: string) => line.replace(/^.*: /, '');

/**
 * The sh script: makes each `nodes` entry (mknod), then opens it and each of `paths` (mode `rw`, `r` or `w`). Its
 * stdout parses with parseProbe.
 */
export function probeScript(nodes: NodeSpec[], paths: string[] = [], mode: 'rw' | 'r' | 'w' = 'rw'): string {
  const redirect = { rw: '<>', r: '<', w: '>' }[mode];
  const open = (label: string, file: string) =>
    `if out=$( (: ${redirect}${file}) 2>&1 ); then echo "${label} open=ok"; else echo "${label} open=$out"; fi`;
  const lines = nodes.flatMap((n) => [
    `if out=$(mknod -m 666 /dev/${n.name} ${n.type} ${n.major} ${n.minor} 2>&1); then echo "${n.name} mknod=ok"; else echo "${n.name} mknod=$out"; fi`,
    open(n.name, `/dev/${n.name}`),
  ]);
  return [...lines, ...paths.map((p) => open(p, p))].join('\n');
}

/** NAME → { mknod, open } from the script's stdout ('' for a step that printed nothing). */
export function parseProbe(stdout: string): Map<string, NodeResult> {
  const out = new Map<string, NodeResult>();
  for (const line of stdout.split('\n')) {
    const m = /^(\S+) (mknod|open)=(.*)$/.exec(line);
    if (!m) continue;
    const entry = out.get(m[1]!) ?? { mknod: '', open: '' };
    entry[m[2] as 'mknod' | 'open'] = m[3] === 'ok' ? 'ok' : errorText(m[3]!);
    out.set(m[1]!, entry);
  }
  return out;
}

/** The nodes root inside must not open by default: kvm, tty1, /dev/mem, and the host's root disk. */
export const forbiddenNodes = (): NodeSpec[] => [
  { name: 'kvm', type: 'c', major: 10, minor: 232 },
  { name: 'tty1', type: 'c', major: 4, minor: 1 },
  { name: 'mem', type: 'c', major: 1, minor: 1 },
  rootDisk(),
];
