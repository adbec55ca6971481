// default.ts — ctr's default seccomp profile, in Docker's profile format and in the spirit of Docker's
// (moby/profiles seccomp/default.json): an allow-list whose default answer is EPERM. What is left out on
// purpose, and why:
//   - never allowed: kexec_load/kexec_file_load (replace the host kernel), keyctl/add_key/request_key (the
//     kernel keyring is not namespaced), swapon/swapoff, userfaultfd (stalls kernel code paths, a favourite
//     of exploit races), io_uring_* (a syscall multiplexer seccomp cannot see into), pivot_root, and the
//     obsolete uselib/ustat/sysfs/_sysctl/nfsservctl/create_module/get_kernel_syms/query_module.
//   - allowed only with the capability that makes them meaningful: mount and the new mount API, umount2,
//     unshare, setns, namespace-creating clone/clone3, sethostname (CAP_SYS_ADMIN); bpf only with CAP_BPF and
//     perf_event_open only with CAP_PERFMON (Docker also lets CAP_SYS_ADMIN unlock them; we keep
//     `--cap-add SYS_ADMIN` to the mount and namespace class, since both reach far into the host kernel);
//     module loading (CAP_SYS_MODULE); reboot
//     (CAP_SYS_BOOT); open_by_handle_at (CAP_DAC_READ_SEARCH: it opens any inode of the filesystem by its
//     handle, the "shocker" escape); ptrace helpers kcmp/pidfd_getfd/process_madvise (CAP_SYS_PTRACE) …
//   - clone3 without CAP_SYS_ADMIN fails with ENOSYS, not EPERM: its flags live in a struct seccomp cannot
//     read, and ENOSYS makes glibc fall back to clone(2), whose flags argument the filter can check.
//   - socket: AF_ALG (kernel crypto API, a history of CVEs) and AF_VSOCK (host–guest channel) are refused.
// See seccomp(2), capabilities(7), clone(2), socket(2), personality(2).
import type { SeccompProfile, SeccompSyscallRule } from './profile.js';

/** Calls every program needs and that cannot reach outside the container's namespaces and limits. */
const ALWAYS = {
  files: [
    'access', 'faccessat', 'faccessat2', 'chdir', 'fchdir', 'getcwd', 'chmod', 'fchmod', 'fchmodat', 'fchmodat2',
    'chown', 'fchown', 'fchownat', 'lchown', 'creat', 'open', 'openat', 'openat2', 'close', 'close_range', 'dup',
    'dup2', 'dup3', 'fcntl', 'flock', 'fsync', 'fdatasync', 'sync', 'syncfs', 'sync_file_range', 'fallocate',
    'ftruncate', 'truncate', 'lseek', 'read', 'write', 'readv', 'writev', 'pread64', 'pwrite64', 'preadv',
    'preadv2', 'pwritev', 'pwritev2', 'sendfile', 'splice', 'tee', 'vmsplice', 'copy_file_range', 'readahead',
    'fadvise64', 'getdents', 'getdents64', 'link', 'linkat', 'symlink', 'symlinkat', 'unlink', 'unlinkat',
    'rename', 'renameat', 'renameat2', 'mkdir', 'mkdirat', 'rmdir', 'mknod', 'mknodat', 'readlink', 'readlinkat',
    'stat', 'fstat', 'lstat', 'newfstatat', 'statx', 'statfs', 'fstatfs', 'umask', 'utime', 'utimes',
    'utimensat', 'futimesat', 'name_to_handle_at', 'cachestat',
  ],
  xattrs: [
    'getxattr', 'lgetxattr', 'fgetxattr', 'getxattrat', 'setxattr', 'lsetxattr', 'fsetxattr', 'setxattrat',
    'listxattr', 'llistxattr', 'flistxattr', 'listxattrat', 'removexattr', 'lremovexattr', 'fremovexattr',
    'removexattrat',
  ],
  events: [
    'poll', 'ppoll', 'select', 'pselect6', 'epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_ctl_old',
    'epoll_wait', 'epoll_wait_old', 'epoll_pwait', 'epoll_pwait2', 'eventfd', 'eventfd2', 'signalfd', 'signalfd4',
    'timerfd_create', 'timerfd_settime', 'timerfd_gettime', 'inotify_init', 'inotify_init1', 'inotify_add_watch',
    'inotify_rm_watch', 'fanotify_mark', 'pipe', 'pipe2', 'ioctl', 'io_setup', 'io_destroy', 'io_submit',
    'io_cancel', 'io_getevents', 'io_pgetevents',
  ],
  memory: [
    'brk', 'mmap', 'munmap', 'mremap', 'mprotect', 'madvise', 'mincore', 'msync', 'mlock', 'mlock2', 'mlockall',
    'munlock', 'munlockall', 'remap_file_pages', 'membarrier', 'memfd_create', 'memfd_secret', 'pkey_alloc',
    'pkey_free', 'pkey_mprotect', 'map_shadow_stack', 'mseal',
  ],
  processes: [
    'execve', 'execveat', 'exit', 'exit_group', 'fork', 'vfork', 'wait4', 'waitid', 'kill', 'tkill', 'tgkill',
    'getpid', 'getppid', 'gettid', 'getpgid', 'getpgrp', 'setpgid', 'getsid', 'setsid', 'set_tid_address',
    'set_robust_list', 'get_robust_list', 'futex', 'futex_waitv', 'futex_wake', 'futex_wait', 'futex_requeue',
    'rseq', 'prctl', 'capget', 'capset', 'getpriority', 'setpriority', 'sched_getaffinity', 'sched_setaffinity',
    'sched_getattr', 'sched_setattr', 'sched_getparam', 'sched_setparam', 'sched_getscheduler',
    'sched_setscheduler', 'sched_get_priority_max', 'sched_get_priority_min', 'sched_rr_get_interval',
    'sched_yield', 'getcpu', 'ioprio_get', 'ioprio_set', 'getrlimit', 'setrlimit', 'prlimit64', 'getrusage',
    'times', 'sysinfo', 'uname', 'pidfd_open', 'pidfd_send_signal', 'process_mrelease', 'restart_syscall',
    'seccomp', 'landlock_create_ruleset', 'landlock_add_rule', 'landlock_restrict_self', 'get_thread_area',
    'set_thread_area', 'getrandom',
  ],
  credentials: [
    'getuid', 'geteuid', 'getgid', 'getegid', 'getresuid', 'getresgid', 'getgroups', 'setuid', 'setgid',
    'setreuid', 'setregid', 'setresuid', 'setresgid', 'setfsuid', 'setfsgid', 'setgroups',
  ],
  signals: [
    'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn', 'rt_sigsuspend', 'rt_sigpending', 'rt_sigtimedwait',
    'rt_sigqueueinfo', 'rt_tgsigqueueinfo', 'sigaltstack', 'pause', 'alarm',
  ],
  // Reading clocks and adjtimex/clock_adjtime in query mode; setting a clock needs CAP_SYS_TIME besides.
  time: [
    'clock_gettime', 'clock_getres', 'clock_nanosleep', 'nanosleep', 'gettimeofday', 'time', 'getitimer',
    'setitimer', 'timer_create', 'timer_delete', 'timer_settime', 'timer_gettime', 'timer_getoverrun', 'adjtimex',
    'clock_adjtime',
  ],
  sockets: [
    'accept', 'accept4', 'bind', 'connect', 'listen', 'getsockname', 'getpeername', 'getsockopt', 'setsockopt',
    'shutdown', 'socketpair', 'sendto', 'recvfrom', 'sendmsg', 'recvmsg', 'sendmmsg', 'recvmmsg',
  ],
  ipc: [
    'shmget', 'shmat', 'shmdt', 'shmctl', 'semget', 'semop', 'semtimedop', 'semctl', 'msgget', 'msgsnd', 'msgrcv',
    'msgctl', 'mq_open', 'mq_unlink', 'mq_timedsend', 'mq_timedreceive', 'mq_notify', 'mq_getsetattr',
  ],
  // Read-only views of the caller's own mount namespace.
  mounts: ['statmount', 'listmount'],
};

/** Calls allowed when the container keeps the capability that governs them (Docker's `includes.caps`). */
const BY_CAPABILITY: Record<string, string[]> = {
  CAP_SYS_ADMIN: [
    'mount', 'umount2', 'unshare', 'setns', 'clone', 'clone3', 'fsopen', 'fsconfig', 'fsmount', 'fspick',
    'move_mount', 'open_tree', 'open_tree_attr', 'mount_setattr', 'sethostname', 'setdomainname', 'quotactl',
    'quotactl_fd', 'fanotify_init', 'lookup_dcookie', 'syslog', 'lsm_get_self_attr',
    'lsm_set_self_attr', 'lsm_list_modules',
  ],
  CAP_BPF: ['bpf'],
  CAP_PERFMON: ['perf_event_open'],
  CAP_SYS_MODULE: ['init_module', 'finit_module', 'delete_module'],
  CAP_SYS_BOOT: ['reboot'],
  CAP_SYS_CHROOT: ['chroot'],
  CAP_SYS_PACCT: ['acct'],
  CAP_DAC_READ_SEARCH: ['open_by_handle_at'],
  CAP_SYS_PTRACE: ['kcmp', 'pidfd_getfd', 'process_madvise', 'process_vm_readv', 'process_vm_writev', 'ptrace'],
  CAP_SYS_RAWIO: ['iopl', 'ioperm'],
  CAP_SYS_TIME: ['settimeofday', 'clock_settime'],
  CAP_SYS_TTY_CONFIG: ['vhangup'],
  CAP_SYS_NICE: ['get_mempolicy', 'mbind', 'set_mempolicy', 'set_mempolicy_home_node'],
  CAP_SYSLOG: ['syslog'],
};

// clone(2) flags that create namespaces: NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET.
const CLONE_NEW_ANY = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;
const ENOSYS = 38;
const AF_ALG = 38;
const AF_VSOCK = 40;
const AF_MAX = 46;
// personality(2) values glibc, setarch and the like use: PER_LINUX, PER_LINUX32, UNAME26, both, and the query.
const PERSONALITIES = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

const allow = (names: string[], extra: Partial<SeccompSyscallRule> = {}): SeccompSyscallRule => ({
  names,
  action: 'SCMP_ACT_ALLOW',
  ...extra,
});

// socket's family is an int: the kernel looks only at the low 32 bits of the register, while seccomp sees
// all 64. An open-ended `family >= 41` would let 0x1_00000026 (AF_ALG with junk above) through, so the
// families above the refused ones are listed one by one; `< AF_ALG` is safe because it also pins the high word.
function socketRules(): SeccompSyscallRule[] {
  const rules = [allow(['socket'], { args: [{ index: 0, value: AF_ALG, op: 'SCMP_CMP_LT' }] })];
  for (let family = AF_ALG + 1; family < AF_MAX; family++)
    if (family !== AF_VSOCK) rules.push(allow(['socket'], { args: [{ index: 0, value: family, op: 'SCMP_CMP_EQ' }] }));
  return rules;
}

/**
 * ctr's default seccomp profile in Docker's JSON format (a fresh copy each call). Compile it with the
 * container's kept capabilities: the capability-gated blocks apply only when those capabilities are kept.
 */
export function defaultProfile(): SeccompProfile {
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 1,
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_AARCH64'],
    syscalls: [
      allow(Object.values(ALWAYS).flat()),
      ...socketRules(),
      ...PERSONALITIES.map((value) => allow(['personality'], { args: [{ index: 0, value, op: 'SCMP_CMP_EQ' }] })),
      allow(['arch_prctl', 'modify_ldt'], { includes: { arches: ['amd64'] } }),
      ...Object.entries(BY_CAPABILITY).map(([cap, names]) => allow(names, { includes: { caps: [cap] } })),
      allow(['clone'], {
        args: [{ index: 0, value: CLONE_NEW_ANY, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
        excludes: { caps: ['CAP_SYS_ADMIN'] },
      }),
      {
        names: ['clone3'],
        action: 'SCMP_ACT_ERRNO',
        errnoRet: ENOSYS,
        excludes: { caps: ['CAP_SYS_ADMIN'] },
      },
    ],
  };
}
