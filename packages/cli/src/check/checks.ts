// checks.ts — `ctr check`'s findings, one per feature ctr uses or could use: what was found, whether ctr
// needs it, and when it is missing what that costs and what to do. Each is observed on this host (procfs,
// the kernel's config, @ctr/cgroups' detection, the rtnetlink route table), not assumed.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { detectCgroupSetup, type CgroupSetup } from '@ctr/cgroups';
import { NetlinkSocket } from '@ctr/netns';
import { bridgeNetwork } from '../runtime/config.js';
import { checkOverlap } from '../runtime/network.js';
import { atLeast, configEnabled, configNote, readKernel, type KernelInfo } from './kernel.js';

export interface Finding {
  id: string;
  label: string;
  ok: boolean;
  /** ctr cannot do its job without it (exit status 1 when missing) */
  required: boolean;
  found: string;
  /** when missing: what does not work */
  consequence?: string;
  /** when missing: what to do */
  fix?: string;
}

const join = (...parts: string[]): string => parts.filter(Boolean).join('; ');

function namespaceFindings(k: KernelInfo): Finding[] {
  const types: [string, string, boolean, string][] = [
    ['mnt', 'CONFIG_NAMESPACES', true, 'no private mounts or pivot_root: ctr run cannot start'],
    ['pid', 'CONFIG_PID_NS', true, 'ps would see the host: ctr run cannot start'],
    ['net', 'CONFIG_NET_NS', true, 'no own IP address: ctr run cannot start'],
    ['uts', 'CONFIG_UTS_NS', true, 'no own hostname: ctr run cannot start'],
    ['ipc', 'CONFIG_IPC_NS', true, 'shared SysV IPC: ctr run cannot start'],
    ['cgroup', 'CONFIG_CGROUPS', false, 'the container sees the host\'s cgroup paths (ctr runs without a cgroup namespace)'],
    ['user', 'CONFIG_USER_NS', false, '--userns is unavailable; container root is host root'],
  ];
  return types.map(([type, symbol, required, consequence]) => {
    const ok = existsSync(`/proc/self/ns/${type}`);
    return {
      id: `ns-${type}`, label: `${type} namespace`, ok, required,
      found: join(ok ? `/proc/self/ns/${type} present` : `no /proc/self/ns/${type}`, configNote(k, symbol)),
      ...(ok ? {} : { consequence, fix: `use a kernel built with ${symbol}=y` }),
    };
  });
}

function cgroupFindings(): Finding[] {
  let setup: CgroupSetup;
  try {
    setup = detectCgroupSetup();
  } catch (err) {
    return [{
      id: 'cgroups', label: 'cgroups', ok: false, required: true, found: (err as Error).message,
      consequence: 'no --cpus, --memory, --pids-limit and no ctr stats', fix: 'mount cgroup2 on /sys/fs/cgroup (or the v1 controllers)',
    }];
  }
  const where = (h: CgroupSetup['hierarchies'][number]): string =>
    `v${h.version} at ${h.mountpoint}${h.controllers.length ? ` (${h.controllers.join(',')})` : ' (no controllers)'}`;
  const findings: Finding[] = [{
    id: 'cgroup-mode', label: 'cgroup layout', ok: true, required: true,
    found: `${setup.mode}: ${setup.hierarchies.filter((h) => h.version === 2 || h.controllers.some((c) => !c.startsWith('name='))).map(where).join(', ')}`,
  }];
  const needs: [string, string][] = [
    ['cpu', '--cpus is refused'],
    ['memory', '--memory is refused and OOM kills are not reported'],
    ['pids', '--pids-limit is refused'],
  ];
  for (const [controller, consequence] of needs) {
    const home = setup.hierarchies.find((h) => h.controllers.includes(controller));
    findings.push({
      id: `cgroup-${controller}`, label: `cgroup ${controller} controller`, ok: home !== undefined, required: true,
      found: home ? `v${home.version} at ${home.mountpoint}` : `not in any mounted hierarchy (${setup.mode})`,
      ...(home ? {} : { consequence, fix: `mount the ${controller} controller (v1) or enable it in cgroup.subtree_control (v2)` }),
    });
  }
  return findings;
}

function featureFindings(k: KernelInfo, setup: CgroupSetup | undefined): Finding[] {
  const v = (major: number, minor: number): string => `kernel ${k.release} ${atLeast(k, major, minor) ? '≥' : '<'} ${major}.${minor}`;
  const overlay = /\toverlay$/m.test(readFileSync('/proc/filesystems', 'utf8'));
  const seccomp = /^Seccomp:/m.test(readFileSync('/proc/self/status', 'utf8')) && configEnabled(k, 'CONFIG_SECCOMP_FILTER') !== false;
  const v2WithControllers = setup?.hierarchies.some((h) => h.version === 2 && h.controllers.length > 0) ?? false;
  return [
    {
      id: 'clone3', label: 'clone3', ok: atLeast(k, 5, 3), required: true, found: v(5, 3),
      consequence: 'ctr creates every container with clone3(2): ctr run cannot start', fix: 'use Linux 5.3 or later',
    },
    {
      id: 'pidfd', label: 'pidfd (CLONE_PIDFD, pidfd_send_signal)', ok: atLeast(k, 5, 3), required: true, found: v(5, 3),
      consequence: 'ctr signals and reaps containers through pidfds: ctr run cannot start', fix: 'use Linux 5.3 or later',
    },
    {
      id: 'seccomp', label: 'seccomp filters', ok: seccomp, required: true,
      found: join(seccomp ? 'Seccomp: line in /proc/self/status' : 'no seccomp support', configNote(k, 'CONFIG_SECCOMP_FILTER')),
      consequence: 'the default syscall filter cannot be installed', fix: 'use a kernel with CONFIG_SECCOMP_FILTER=y, or run with --security-opt seccomp=unconfined',
    },
    {
      id: 'idmapped-mounts', label: 'idmapped mounts', ok: atLeast(k, 5, 12) && configEnabled(k, 'CONFIG_USER_NS') !== false, required: false,
      found: join(v(5, 12), configNote(k, 'CONFIG_USER_NS')),
      consequence: '--userns is unavailable (the rootfs could not look root-owned inside)', fix: 'use Linux 5.12 or later',
    },
    {
      id: 'overlayfs', label: 'overlayfs', ok: overlay, required: false,
      found: join(overlay ? 'overlay in /proc/filesystems' : 'not in /proc/filesystems (module not loaded?)', configNote(k, 'CONFIG_OVERLAY_FS'), 'ctr bind-mounts its rootfs and does not need it'),
      consequence: 'none for ctr; layered images would need it', fix: 'modprobe overlay',
    },
    {
      id: 'clone-into-cgroup', label: 'CLONE_INTO_CGROUP', ok: atLeast(k, 5, 7) && v2WithControllers, required: false,
      found: join(v(5, 7), v2WithControllers ? 'cgroup2 holds controllers' : 'no controllers on cgroup2 (it only places into v2)', 'ctr does not use it'),
      consequence: 'none: ctr writes the PID into the container\'s cgroups after clone, which works on v1 too',
    },
  ];
}

function rootfsFinding(defaultDir: string): Finding {
  const ok = existsSync(path.join(defaultDir, 'bin/sh'));
  const demo = existsSync(path.join(defaultDir, 'usr/local/bin/escape-probe'));
  return {
    id: 'default-rootfs', label: 'default rootfs', ok: ok && demo, required: true,
    found: ok ? `${defaultDir}${demo ? ' with the demo programs' : ' without the demo programs'}` : `${defaultDir} not built`,
    consequence: 'ctr run needs a rootfs directory as its first argument, ctr demo cannot run', fix: 'ctr rootfs build',
  };
}

function subnetFinding(): Finding {
  const base = { id: 'bridge-subnet', label: `bridge subnet ${bridgeNetwork.subnet}`, required: true };
  let sock: NetlinkSocket | undefined;
  try {
    sock = NetlinkSocket.open();
    checkOverlap(sock);
    return { ...base, ok: true, found: `no host route overlaps it (bridge ${bridgeNetwork.bridge})` };
  } catch (err) {
    return {
      // The runtime's message ends with its own advice; the fix below says it for check's format.
      ...base, ok: false, found: (err as Error).message.split('; ')[0]!,
      consequence: 'ctr run with the bridge network (the default) refuses to start', fix: 'set CTR_SUBNET to a free range, or use --net none',
    };
  } finally {
    sock?.close();
  }
}

export function runChecks(defaultRootfs: string): Finding[] {
  const k = readKernel();
  let setup: CgroupSetup | undefined;
  try {
    setup = detectCgroupSetup();
  } catch {
    setup = undefined;
  }
  return [
    { id: 'kernel', label: 'kernel', ok: true, required: true, found: join(k.release, k.configSource ? `config from ${k.configSource}` : 'no kernel config readable: version gates only') },
    ...namespaceFindings(k),
    ...cgroupFindings(),
    ...featureFindings(k, setup),
    rootfsFinding(defaultRootfs),
    subnetFinding(),
  ];
}
