// etc.ts — the generated part of the default rootfs: the directory skeleton and a minimal /etc. Enough
// for `id` and bash's \u to name root (passwd, group via nss "files"), localhost to resolve (hosts), and
// an interactive bash to show `root@HOSTNAME:/#` (bash.bashrc, which Debian's bash reads as SYS_BASHRC).
// Nothing depends on /etc/hostname: the hostname lives in the UTS namespace.
// See passwd(5), group(5), hosts(5), nsswitch.conf(5), bash(1) INVOCATION.
import type { TreeOp } from './tree-ops.js';

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const PS1 = String.raw`PS1='\u@\h:\w\$ '`;

const DIRECTORIES: Array<[string, number]> = [
  ['/etc', 0o755],
  ['/root', 0o700],
  ['/home', 0o755],
  ['/tmp', 0o1777],
  ['/var', 0o755],
  ['/var/tmp', 0o1777],
  ['/run', 0o755],
  ['/usr/local/bin', 0o755],
  // Empty mount points: the runtime mounts proc, sysfs and a /dev tmpfs here.
  ['/proc', 0o555],
  ['/sys', 0o555],
  ['/dev', 0o755],
  ['/mnt', 0o755],
];

const FILES: Array<[string, string, number]> = [
  ['/etc/passwd', 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n', 0o644],
  ['/etc/group', 'root:x:0:\nnogroup:x:65534:\n', 0o644],
  ['/etc/hosts', '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n', 0o644],
  ['/etc/nsswitch.conf', 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n', 0o644],
  ['/etc/profile', `export PATH=${PATH}\nif [ -n "\${BASH_VERSION-}" ] && [ -f /etc/bash.bashrc ]; then . /etc/bash.bashrc; fi\n`, 0o644],
  ['/etc/bash.bashrc', `[ -z "\${PS1-}" ] && return\n${PS1}\n`, 0o644],
  ['/root/.bashrc', `${PS1}\n`, 0o644],
];

/** The skeleton directories and generated files of the default rootfs, in creation order. */
export function etcOps(): TreeOp[] {
  return [
    ...DIRECTORIES.map(([treePath, mode]): TreeOp => ({ kind: 'dir', treePath, mode })),
    ...FILES.map(([treePath, content, mode]): TreeOp => ({ kind: 'content', treePath, content, mode })),
    // mount(8) and df(1) read /etc/mtab; the kernel's per-namespace list is the only truthful one.
    { kind: 'symlink', treePath: '/etc/mtab', target: '../proc/self/mounts' },
  ];
}
