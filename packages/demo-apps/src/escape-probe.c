/* escape-probe.c — tries the classic ways out of a container and prints one JSON line per attempt:
 *   {"probe":"mount-proc","result":"blocked","errno":"EPERM"}   {"probe":"bpf","result":"succeeded"}
 * Every attempt runs in a forked child, so a seccomp kill, a chroot or a namespace switch cannot affect the
 * probes after it, and every attempt is harmless even where it "succeeds": nothing is written anywhere that
 * matters (one inert text file, setuid-rootfs's marker, is left in "/" on purpose: only the host can look for
 * it), what is mounted or created is removed again, and the calls that could change the machine are made
 * with arguments the kernel rejects only AFTER its permission checks — so EPERM means "stopped at the door"
 * (blocked) and EINVAL means "the kernel listened" (succeeded) without anything happening.
 * Exit 0 when every probe ran (or was skipped for a missing --host-pid/--foreign), 1 when one could not be
 * attempted (fork failed), 2 on usage errors.
 *
 * probe                  attempt                                                   blocked when
 * chroot-escape          chroot(subdir) without chdir, climb "..", chroot("."),    chroot fails, or the marker is
 *                        then open --marker (a host-only file)                     unreachable afterwards
 * mount-proc             mount a fresh procfs on a scratch dir, then unmount       EPERM/EACCES
 * mount-sysfs            mount a fresh sysfs (host devices, firmware, kernel)      EPERM/EACCES
 * mount-tmpfs            mount a tmpfs (any mount at all)                          EPERM/EACCES
 * remount-root-rw        bind-remount / read-write (matters under --read-only);    EPERM/EACCES/EROFS
 *                        put back read-only if it was
 * sysrq-trigger          open /proc/sysrq-trigger for writing; nothing is written  EACCES/EROFS/EPERM/ENOENT, masked
 * proc-sys-hostname      open /proc/sys/kernel/hostname for writing, no write      EROFS/EACCES/EPERM/ENOENT, masked
 * proc-sys-core-pattern  open /proc/sys/kernel/core_pattern for writing (a host-   EROFS/EACCES/EPERM/ENOENT, masked
 *                        wide setting: a pipe there runs as root on the host)
 * read-kcore             open /proc/kcore (host physical memory) and read 1 byte   EPERM/EACCES/ENOENT, masked or empty
 * mknod-block            mknod the disk under / in scratch (when / is an overlay   EPERM/EACCES on mknod or open
 *                        or tmpfs, the first disk /sys/block lists; else 8:0),
 *                        open it
 * dev-kvm                mknod c 10:232 (/dev/kvm: the host's hypervisor) in /dev  EPERM/EACCES on mknod or open
 *                        (else scratch), open it, close, unlink                    (device cgroup, nodev, caps)
 * dev-tty1               the same with c 4:1 (a host virtual console)              EPERM/EACCES
 * dev-mem                the same with c 1:1 (host physical memory)                EPERM/EACCES
 * dev-kmem               the same with c 1:2 (kernel memory; absent on kernels     EPERM/EACCES (ENXIO: the open got
 *                        ≥ 5.13, then the driver answers ENXIO)                    past the allow-list to the driver)
 * finit-module           finit_module(/dev/null): no module can come of it          EPERM (else the loader ran: EINVAL…)
 * init-module            init_module of an empty image                             EPERM (else ENOEXEC…)
 * delete-module          delete_module of a module that does not exist             EPERM (else ENOENT)
 * kexec-load             kexec_load with 1000 segments (> KEXEC_SEGMENT_MAX)        EPERM (else EINVAL)
 * kexec-file-load        kexec_file_load with an undefined flag and fds -1          EPERM (else EINVAL/EBADF)
 * reboot                 raw reboot(2) with a wrong magic number (glibc's reboot()  EPERM (else EINVAL)
 *                        would supply the right one — never used here)
 * keyctl                 look up the thread keyring without creating it (the       EPERM/ENOSYS
 *                        kernel keyring is not namespaced)
 * bpf                    create a 1-entry BPF array map, close it                  EPERM/ENOSYS
 * perf-event-open        open a software dummy counter on itself, close it         EPERM/EACCES/ENOSYS/ENOENT
 * open-by-handle-at      reopen / by file handle ("shocker": handles bypass the    EPERM
 *                        mount tree, so any inode of the host filesystem opens)
 * unshare-mount-ns       unshare(CLONE_NEWNS)                                      EPERM
 * unshare-user-mount     unshare(CLONE_NEWUSER), then a mount namespace and a      EPERM/EACCES/ENOSPC/EINVAL at any
 *                        tmpfs mount with the caps the user namespace grants       step
 * setns-net              setns into /proc/(--host-pid or 1)/ns/net                  EPERM/EACCES/ENOENT/ESRCH
 * sethostname            sethostname to the current name (no change)               EPERM
 * cgroup-write           open our cgroup's cgroup.procs for writing, no write      EROFS/EACCES/EPERM/ENOENT
 * ptrace-init            PTRACE_SEIZE PID 1 (no stop; detached when the child ends) EPERM/EACCES/ESRCH
 * kill-host-pid          kill(--host-pid, 0): existence check only                 ESRCH (EPERM means it is visible)
 * read-foreign           open --foreign (another container's file), read 1 byte    EPERM/EACCES/ENOENT
 * pivot-root             pivot_root between two paths that do not exist            EPERM (else ENOENT)
 * swapon                 swapon a path that does not exist                         EPERM (else ENOENT)
 * userfaultfd            userfaultfd(), close it                                   EPERM/ENOSYS
 * io-uring               io_uring_setup with 0 entries                             EPERM/ENOSYS (else EINVAL)
 * socket-af-alg          socket(AF_ALG) (kernel crypto API), close it              EPERM/EACCES/EAFNOSUPPORT
 * proc-exe-host          open /proc/N/exe of every visible process: each image     every image is a file of the
 *                        must be a file of the container's own tree or a sealed    container's tree or a memfd
 *                        memfd. A runtime whose first exec resolved /proc/self/exe sealed against writes
 *                        through its own image (CVE-2019-5736) leaves the HOST's
 *                        binary running as a container process: writable once it
 *                        exits, through /proc/N/exe
 * fd-host-dir            every fd > 2 of every visible process that is a           none lies outside "/"
 *                        directory: walk ".." up from it; a walk that ends on a
 *                        top that is not the container's "/" is a host directory
 * cwd-outside-root       the same walk from the cwd of every visible process       none lies outside "/"
 *                        (CVE-2024-21626: -w /proc/self/fd/N of a leaked fd)
 * setuid-rootfs          write /escape-probe.setuid, chmod 4755, and LEAVE it:     EROFS/EPERM/EACCES, or "/" is an
 *                        only the host can tell whether the rootfs it gave         overlay (detail "overlay": the
 *                        changed, so the caller checks its tree afterwards         write went to an upper layer)
 * supplementary-groups   getgroups() and getresgid(): groups of the runtime that   no supplementary group, gids 0
 *                        the container never asked for (setgroups not reset)
 *
 * EPERM from seccomp and EPERM from a missing capability look the same; both count as blocked. A probe
 * killed by a signal (SCMP_ACT_KILL profiles) counts as blocked too.
 * See chroot(2), mount(2), seccomp(2), capabilities(7), user_namespaces(7), open_by_handle_at(2), reboot(2),
 * kexec_load(2), init_module(2), ptrace(2), proc(5). */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <linux/reboot.h>
#include <dirent.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"

static const char USAGE[] =
    "usage: escape-probe [--marker PATH] [--only NAME,...] [--host-pid N] [--foreign PATH]\n"
    "  runs container escape attempts, one JSON line each: {\"probe\":NAME,\"result\":\"blocked\"|\"succeeded\"|...}\n"
    "  --marker PATH    host-only file the chroot escape tries to reach (default /tmp/ctr-escape-marker)\n"
    "  --only NAMES     run only these probes (comma-separated)\n"
    "  --host-pid N     a PID outside the container, for kill-host-pid and setns-net\n"
    "  --foreign PATH   a file of another container, for read-foreign\n";

/* A child's exit status carries the probe's errno (all < 134); these mark outcomes that are not an errno:
 * NOTHING = blocked, nothing found to report (a search probe found no leak). */
enum { MASKED = 250, SKIPPED = 251, OVERLAY = 252, NOTHING = 253 };

/* statfs(2) f_type of overlayfs (linux/magic.h OVERLAYFS_SUPER_MAGIC). */
enum { OVERLAY_MAGIC = 0x794c7630 };

/* The file setuid-rootfs leaves in the container's "/", for the caller to look for in the rootfs it gave. */
static const char SETUID_MARKER[] = "/escape-probe.setuid";

/* Far more levels than any real directory tree; ".." at the top of the mount namespace is a no-op. */
enum { CLIMB_LEVELS = 256 };

static struct {
  const char *marker;
  const char *foreign;
  long host_pid; /* 0 = not given */
  char scratch[64]; /* "" = no writable directory found */
} opt = {.marker = "/tmp/ctr-escape-marker"};

static int err(void) { return errno; }

/* Opens PATH with FLAGS and checks it is still the kernel file, not a /dev/null bind-mounted over it. */
static int open_kernel_file(const char *path, int flags, bool read_one) {
  int fd = open(path, flags | O_CLOEXEC);
  if (fd < 0) return err();
  struct stat st;
  int result = 0;
  if (fstat(fd, &st) == 0 && (S_ISCHR(st.st_mode) || S_ISDIR(st.st_mode)))
    result = MASKED;
  else if (read_one) {
    char byte;
    ssize_t n = read(fd, &byte, 1);
    result = n == 1 ? 0 : n == 0 ? MASKED : err();
  }
  close(fd);
  return result;
}

static int scratch_path(char *out, size_t size, const char *name) {
  if (opt.scratch[0] == '\0') return -1;
  snprintf(out, size, "%s/%s", opt.scratch, name);
  return 0;
}

static int try_mount(const char *source, const char *type) {
  char target[96];
  if (scratch_path(target, sizeof target, "mnt") < 0) return SKIPPED;
  if (mount(source, target, type, MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) return err();
  umount2(target, MNT_DETACH);
  return 0;
}

static int probe_chroot_escape(void) {
  char jail[96];
  if (scratch_path(jail, sizeof jail, "jail") < 0) return SKIPPED;
  if (chroot(jail) < 0) return err();
  for (int i = 0; i < CLIMB_LEVELS; i++)
    if (chdir("..") < 0) break;
  if (chroot(".") < 0) return err();
  int fd = open(opt.marker, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return err();
  close(fd);
  return 0;
}

static int probe_mount_proc(void) { return try_mount("proc", "proc"); }
static int probe_mount_sysfs(void) { return try_mount("sysfs", "sysfs"); }
static int probe_mount_tmpfs(void) { return try_mount("tmpfs", "tmpfs"); }

/* A bind remount replaces all per-mount flags, so the current nosuid/nodev/noexec/atime ones are kept. */
static int probe_remount_root_rw(void) {
  struct statvfs vfs;
  if (statvfs("/", &vfs) < 0) return err();
  unsigned long keep = 0;
  if (vfs.f_flag & ST_NOSUID) keep |= MS_NOSUID;
  if (vfs.f_flag & ST_NODEV) keep |= MS_NODEV;
  if (vfs.f_flag & ST_NOEXEC) keep |= MS_NOEXEC;
  if (vfs.f_flag & ST_NOATIME) keep |= MS_NOATIME;
  if (vfs.f_flag & ST_NODIRATIME) keep |= MS_NODIRATIME;
  if (vfs.f_flag & ST_RELATIME) keep |= MS_RELATIME;
  if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | keep, NULL) < 0) return err();
  if (vfs.f_flag & ST_RDONLY) mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | keep, NULL);
  return 0;
}

static int probe_sysrq_trigger(void) { return open_kernel_file("/proc/sysrq-trigger", O_WRONLY, false); }
static int probe_proc_sys_hostname(void) { return open_kernel_file("/proc/sys/kernel/hostname", O_WRONLY, false); }
static int probe_core_pattern(void) { return open_kernel_file("/proc/sys/kernel/core_pattern", O_WRONLY, false); }
static int probe_read_kcore(void) { return open_kernel_file("/proc/kcore", O_RDONLY, true); }

/* The disk under / is the one worth reading. Anonymous devices (major 0: overlay, tmpfs) have no node, so
 * then the first real disk sysfs lists (loop, ram and zram devices hold no host filesystem); else 8:0. */
static dev_t root_disk(void) {
  struct stat root;
  if (stat("/", &root) == 0 && major(root.st_dev) != 0) return root.st_dev;
  dev_t dev = makedev(8, 0);
  DIR *disks = opendir("/sys/block");
  if (disks == NULL) return dev;
  struct dirent *entry;
  while ((entry = readdir(disks)) != NULL) {
    const char *name = entry->d_name;
    if (name[0] == '.' || strncmp(name, "loop", 4) == 0 || strncmp(name, "ram", 3) == 0 || strncmp(name, "zram", 4) == 0)
      continue;
    char path[300];
    snprintf(path, sizeof path, "/sys/block/%s/dev", name);
    FILE *f = fopen(path, "re");
    unsigned int major_number, minor_number;
    bool found = f != NULL && fscanf(f, "%u:%u", &major_number, &minor_number) == 2;
    if (f != NULL) fclose(f);
    if (found) {
      dev = makedev(major_number, minor_number);
      break;
    }
  }
  closedir(disks);
  return dev;
}

static int probe_mknod_block(void) {
  char node[96];
  if (scratch_path(node, sizeof node, "disk") < 0) return SKIPPED;
  if (mknod(node, S_IFBLK | 0600, root_disk()) < 0) return err();
  int fd = open(node, O_RDONLY | O_CLOEXEC);
  int result = fd < 0 ? err() : 0;
  if (fd >= 0) close(fd);
  unlink(node);
  return result;
}

/* mknod a character device, open it (no controlling tty, no blocking), close and unlink. /dev first: ctr's
 * /dev is a tmpfs that allows device nodes, so a refusal there is the device rules, not a nodev mount. */
static int try_char_device(unsigned int major_number, unsigned int minor_number) {
  char node[96];
  dev_t dev = makedev(major_number, minor_number);
  snprintf(node, sizeof node, "/dev/escape-probe.%ld", (long)getpid());
  if (mknod(node, S_IFCHR | 0600, dev) < 0) {
    /* Not our directory to write (read-only or no permission): the scratch directory instead. */
    if ((errno != EROFS && errno != EACCES) || scratch_path(node, sizeof node, "chr") < 0) return err();
    if (mknod(node, S_IFCHR | 0600, dev) < 0) return err();
  }
  int fd = open(node, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  int result = fd < 0 ? err() : 0;
  if (fd >= 0) close(fd);
  unlink(node);
  return result;
}

static int probe_dev_kvm(void) { return try_char_device(10, 232); }
static int probe_dev_tty1(void) { return try_char_device(4, 1); }
static int probe_dev_mem(void) { return try_char_device(1, 1); }
static int probe_dev_kmem(void) { return try_char_device(1, 2); }

static int probe_finit_module(void) {
  int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return err();
  long rc = syscall(SYS_finit_module, fd, "", 0);
  int result = rc < 0 ? err() : 0;
  close(fd);
  return result;
}

static int probe_init_module(void) { return syscall(SYS_init_module, NULL, 0UL, "") < 0 ? err() : 0; }

static int probe_delete_module(void) {
  return syscall(SYS_delete_module, "ctr_escape_probe_absent", O_NONBLOCK) < 0 ? err() : 0;
}

static int probe_kexec_load(void) { return syscall(SYS_kexec_load, 0UL, 1000UL, NULL, 0UL) < 0 ? err() : 0; }

static int probe_kexec_file_load(void) {
  return syscall(SYS_kexec_file_load, -1, -1, 0UL, "", 0x80000000UL) < 0 ? err() : 0;
}

static int probe_reboot(void) {
  /* magic1 0 is never LINUX_REBOOT_MAGIC1, and the command is no command at all. */
  return syscall(SYS_reboot, 0, 0, 0xdeadbeefU, NULL) < 0 ? err() : 0;
}

static int probe_keyctl(void) {
  return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_THREAD_KEYRING, 0) < 0 && errno != ENOKEY ? err() : 0;
}

static int probe_bpf(void) {
  union bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.map_type = BPF_MAP_TYPE_ARRAY;
  attr.key_size = 4;
  attr.value_size = 4;
  attr.max_entries = 1;
  long fd = syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof attr);
  if (fd < 0) return err();
  close((int)fd);
  return 0;
}

static int probe_perf_event_open(void) {
  struct perf_event_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.size = sizeof attr;
  attr.type = PERF_TYPE_SOFTWARE;
  attr.config = PERF_COUNT_SW_DUMMY;
  attr.disabled = 1;
  long fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0UL);
  if (fd < 0) return err();
  close((int)fd);
  return 0;
}

static int probe_open_by_handle_at(void) {
  struct {
    struct file_handle head;
    unsigned char bytes[MAX_HANDLE_SZ];
  } handle;
  handle.head.handle_bytes = MAX_HANDLE_SZ;
  int mount_id;
  if (name_to_handle_at(AT_FDCWD, "/", &handle.head, &mount_id, 0) < 0) {
    /* No handle support on this filesystem: forge the one "shocker" used, ext4's root (inode 2). */
    handle.head.handle_bytes = 8;
    handle.head.handle_type = 1; /* FILEID_INO32_GEN */
    memset(handle.bytes, 0, 8);
    handle.bytes[0] = 2;
  }
  int root = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) return err();
  int fd = open_by_handle_at(root, &handle.head, O_RDONLY | O_CLOEXEC);
  int result = fd < 0 ? err() : 0;
  if (fd >= 0) close(fd);
  close(root);
  return result;
}

static int probe_unshare_mount_ns(void) { return unshare(CLONE_NEWNS) < 0 ? err() : 0; }

/* A new user namespace grants every capability over the namespaces it owns: the question is whether that
 * is allowed at all, and whether those capabilities then buy a real mount. */
static int probe_unshare_user_mount(void) {
  if (unshare(CLONE_NEWUSER) < 0) return err();
  if (unshare(CLONE_NEWNS) < 0) return err();
  /* Mounts of a namespace created from a user namespace never propagate back; private makes it explicit. */
  mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
  if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) return err();
  return 0;
}

static int probe_setns_net(void) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%ld/ns/net", opt.host_pid != 0 ? opt.host_pid : 1L);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return err();
  int result = setns(fd, CLONE_NEWNET) < 0 ? err() : 0;
  close(fd);
  return result;
}

static int probe_sethostname(void) {
  char name[256] = "";
  if (gethostname(name, sizeof name - 1) < 0) return err();
  return sethostname(name, strlen(name)) < 0 ? err() : 0;
}

/* The first hierarchy listed in /proc/self/cgroup: "0::/path" (v2) or "N:controllers:/path" (v1). */
static int probe_cgroup_write(void) {
  FILE *f = fopen("/proc/self/cgroup", "re");
  if (f == NULL) return err();
  char line[512];
  int result = ENOENT;
  while (result == ENOENT && fgets(line, sizeof line, f) != NULL) {
    line[strcspn(line, "\n")] = '\0';
    char *controllers = strchr(line, ':');
    char *path = controllers ? strchr(controllers + 1, ':') : NULL;
    if (path == NULL) continue;
    *path++ = '\0';
    controllers++;
    if (strncmp(controllers, "name=", 5) == 0) controllers += 5;
    char file[1024];
    snprintf(file, sizeof file, "/sys/fs/cgroup%s%s%s/cgroup.procs", *controllers ? "/" : "", controllers,
             strcmp(path, "/") == 0 ? "" : path);
    int fd = open(file, O_WRONLY | O_CLOEXEC);
    result = fd < 0 ? err() : 0;
    if (fd >= 0) close(fd);
  }
  fclose(f);
  return result;
}

static int probe_ptrace_init(void) { return ptrace(PTRACE_SEIZE, 1, NULL, NULL) < 0 ? err() : 0; }

static int probe_kill_host_pid(void) {
  if (opt.host_pid == 0) return SKIPPED;
  return kill((pid_t)opt.host_pid, 0) < 0 ? err() : 0;
}

static int probe_read_foreign(void) {
  if (opt.foreign == NULL) return SKIPPED;
  int fd = open(opt.foreign, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return err();
  char byte;
  int result = read(fd, &byte, 1) < 0 ? err() : 0;
  close(fd);
  return result;
}

static int probe_pivot_root(void) {
  return syscall(SYS_pivot_root, "/ctr-escape-probe-absent-new", "/ctr-escape-probe-absent-old") < 0 ? err() : 0;
}

static int probe_swapon(void) { return syscall(SYS_swapon, "/ctr-escape-probe-absent", 0) < 0 ? err() : 0; }

static int probe_userfaultfd(void) {
  long fd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return err();
  close((int)fd);
  return 0;
}

static int probe_io_uring(void) {
  struct io_uring_params params;
  memset(&params, 0, sizeof params);
  long fd = syscall(SYS_io_uring_setup, 0U, &params);
  if (fd < 0) return err();
  close((int)fd);
  return 0;
}

static int probe_socket_af_alg(void) {
  int fd = socket(AF_ALG, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) return err();
  close(fd);
  return 0;
}

static bool same_file(const struct stat *a, const struct stat *b) {
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Calls VISIT(pid) for every process /proc lists; stops at, and returns, the first non-NOTHING answer. */
static int each_process(int (*visit)(const char *pid)) {
  DIR *proc = opendir("/proc");
  if (proc == NULL) return err();
  int result = NOTHING;
  struct dirent *entry;
  while (result == NOTHING && (entry = readdir(proc)) != NULL)
    if (entry->d_name[0] >= '1' && entry->d_name[0] <= '9') result = visit(entry->d_name);
  closedir(proc);
  return result;
}

/* A process image that is neither a file of the container's tree nor a memfd sealed against writes. */
static int visit_exe(const char *pid) {
  char link[64], target[PATH_MAX];
  snprintf(link, sizeof link, "/proc/%s/exe", pid);
  int fd = open(link, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NOTHING; /* a kernel thread, or a process that just ended */
  struct stat image, named;
  int seals = fcntl(fd, F_GET_SEALS);
  bool own = (seals >= 0 && (seals & F_SEAL_WRITE)) || fstat(fd, &image) < 0;
  close(fd);
  if (own) return NOTHING;
  /* The link names the image as the kernel sees it; the same name looked up here must give the same inode.
   * The host's node binary, run through the runtime's /proc/self/exe, has no name in the container. */
  ssize_t n = readlink(link, target, sizeof target - 1);
  if (n < 0) return NOTHING;
  target[n] = '\0';
  return stat(target, &named) == 0 && same_file(&image, &named) ? NOTHING : 0;
}

static int probe_proc_exe_host(void) { return each_process(visit_exe); }

/* True when walking ".." up from directory FD ends on a top that is not the container's "/". Inside the root
 * the walk stops at "/" (".." of the process root is itself); outside, it climbs the host's tree to its top. */
static bool outside_root(int fd) {
  struct stat root, here, up;
  if (stat("/", &root) < 0 || fstat(fd, &here) < 0) return false;
  int current = dup(fd);
  bool outside = false;
  for (int i = 0; current >= 0 && i < CLIMB_LEVELS; i++) {
    if (same_file(&here, &root)) break;
    int parent = openat(current, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    close(current);
    current = parent;
    if (current < 0 || fstat(current, &up) < 0) break;
    if (same_file(&up, &here)) {
      outside = true;
      break;
    }
    here = up;
  }
  if (current >= 0) close(current);
  return outside;
}

/* Opens /proc/PID/NAME as a directory (a magic link: the very directory the process holds) and walks up. */
static int check_dir(const char *pid, const char *name) {
  char path[96];
  snprintf(path, sizeof path, "/proc/%s/%s", pid, name);
  int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return NOTHING; /* not a directory, or gone */
  bool outside = outside_root(fd);
  close(fd);
  return outside ? 0 : NOTHING;
}

static int visit_fds(const char *pid) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%s/fd", pid);
  DIR *fds = opendir(path);
  if (fds == NULL) return NOTHING;
  int result = NOTHING;
  struct dirent *entry;
  while (result == NOTHING && (entry = readdir(fds)) != NULL) {
    if (atoi(entry->d_name) <= 2) continue; /* also skips "." and ".." */
    char name[300];
    snprintf(name, sizeof name, "fd/%s", entry->d_name);
    result = check_dir(pid, name);
  }
  closedir(fds);
  return result;
}

static int visit_cwd(const char *pid) { return check_dir(pid, "cwd"); }

static int probe_fd_host_dir(void) { return each_process(visit_fds); }
static int probe_cwd_outside_root(void) { return each_process(visit_cwd); }

static int probe_setuid_rootfs(void) {
  static const char text[] = "escape-probe: if the host's rootfs holds this file, a container wrote to it\n";
  int fd = open(SETUID_MARKER, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
  if (fd < 0) return err();
  int result = write(fd, text, sizeof text - 1) < 0 ? err() : 0;
  close(fd);
  if (result != 0) return result;
  if (chmod(SETUID_MARKER, 04755) < 0) return err();
  struct statfs fs;
  return statfs("/", &fs) == 0 && fs.f_type == OVERLAY_MAGIC ? OVERLAY : 0;
}

static int probe_supplementary_groups(void) {
  gid_t real, effective, saved;
  if (getresgid(&real, &effective, &saved) < 0) return err();
  int count = getgroups(0, NULL);
  if (count < 0) return err();
  return count > 0 || real != 0 || effective != 0 || saved != 0 ? 0 : NOTHING;
}

/* errno lists end with 0. */
#define ERRS(...) ((const int[]){__VA_ARGS__, 0})
static const int *const DENIED = ERRS(EPERM, EACCES, EROFS, ENOENT);
static const int *const CAP_ONLY = ERRS(EPERM);

static const struct probe {
  const char *name;
  int (*run)(void);
  const int *blocked; /* errnos that mean "refused"; any other errno means the kernel went past its checks */
} PROBES[] = {
    {"chroot-escape", probe_chroot_escape, DENIED},
    {"mount-proc", probe_mount_proc, ERRS(EPERM, EACCES)},
    {"mount-sysfs", probe_mount_sysfs, ERRS(EPERM, EACCES)},
    {"mount-tmpfs", probe_mount_tmpfs, ERRS(EPERM, EACCES)},
    {"remount-root-rw", probe_remount_root_rw, ERRS(EPERM, EACCES, EROFS)},
    {"sysrq-trigger", probe_sysrq_trigger, DENIED},
    {"proc-sys-hostname", probe_proc_sys_hostname, DENIED},
    {"proc-sys-core-pattern", probe_core_pattern, DENIED},
    {"read-kcore", probe_read_kcore, DENIED},
    {"mknod-block", probe_mknod_block, ERRS(EPERM, EACCES)},
    {"dev-kvm", probe_dev_kvm, ERRS(EPERM, EACCES)},
    {"dev-tty1", probe_dev_tty1, ERRS(EPERM, EACCES)},
    {"dev-mem", probe_dev_mem, ERRS(EPERM, EACCES)},
    {"dev-kmem", probe_dev_kmem, ERRS(EPERM, EACCES)},
    {"finit-module", probe_finit_module, ERRS(EPERM, ENOSYS)},
    {"init-module", probe_init_module, ERRS(EPERM, ENOSYS)},
    {"delete-module", probe_delete_module, ERRS(EPERM, ENOSYS)},
    {"kexec-load", probe_kexec_load, ERRS(EPERM, ENOSYS)},
    {"kexec-file-load", probe_kexec_file_load, ERRS(EPERM, ENOSYS)},
    {"reboot", probe_reboot, CAP_ONLY},
    {"keyctl", probe_keyctl, ERRS(EPERM, ENOSYS)},
    {"bpf", probe_bpf, ERRS(EPERM, ENOSYS)},
    {"perf-event-open", probe_perf_event_open, ERRS(EPERM, EACCES, ENOSYS, ENOENT)},
    {"open-by-handle-at", probe_open_by_handle_at, CAP_ONLY},
    {"unshare-mount-ns", probe_unshare_mount_ns, CAP_ONLY},
    {"unshare-user-mount", probe_unshare_user_mount, ERRS(EPERM, EACCES, ENOSPC, EINVAL, ENOSYS)},
    {"setns-net", probe_setns_net, ERRS(EPERM, EACCES, ENOENT, ESRCH)},
    {"sethostname", probe_sethostname, CAP_ONLY},
    {"cgroup-write", probe_cgroup_write, DENIED},
    {"ptrace-init", probe_ptrace_init, ERRS(EPERM, EACCES, ESRCH)},
    {"kill-host-pid", probe_kill_host_pid, ERRS(ESRCH)},
    {"read-foreign", probe_read_foreign, DENIED},
    {"pivot-root", probe_pivot_root, CAP_ONLY},
    {"swapon", probe_swapon, CAP_ONLY},
    {"userfaultfd", probe_userfaultfd, ERRS(EPERM, ENOSYS)},
    {"io-uring", probe_io_uring, ERRS(EPERM, ENOSYS)},
    {"socket-af-alg", probe_socket_af_alg, ERRS(EPERM, EACCES, EAFNOSUPPORT)},
    {"proc-exe-host", probe_proc_exe_host, CAP_ONLY},
    {"fd-host-dir", probe_fd_host_dir, CAP_ONLY},
    {"cwd-outside-root", probe_cwd_outside_root, CAP_ONLY},
    {"setuid-rootfs", probe_setuid_rootfs, ERRS(EPERM, EACCES, EROFS)},
    {"supplementary-groups", probe_supplementary_groups, CAP_ONLY},
};
enum { PROBE_COUNT = sizeof PROBES / sizeof PROBES[0] };

static bool listed(const int *errnos, int value) {
  for (; *errnos != 0; errnos++)
    if (*errnos == value) return true;
  return false;
}

/* Runs one probe in a child; prints its line; false if it could not be attempted. */
static bool run_probe(const struct probe *p) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) {
    printf("{\"probe\":\"%s\",\"result\":\"error\",\"errno\":\"%s\"}\n", p->name, strerrorname_np(errno));
    return false;
  }
  if (pid == 0) _exit(p->run());
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return false;
  if (WIFSIGNALED(status)) {
    printf("{\"probe\":\"%s\",\"result\":\"blocked\",\"signal\":\"SIG%s\"}\n", p->name,
           sigabbrev_np(WTERMSIG(status)) ? sigabbrev_np(WTERMSIG(status)) : "?");
    return true;
  }
  int code = WEXITSTATUS(status);
  if (code == 0)
    printf("{\"probe\":\"%s\",\"result\":\"succeeded\"}\n", p->name);
  else if (code == SKIPPED)
    printf("{\"probe\":\"%s\",\"result\":\"skipped\"}\n", p->name);
  else if (code == MASKED || code == OVERLAY)
    printf("{\"probe\":\"%s\",\"result\":\"blocked\",\"detail\":\"%s\"}\n", p->name, code == MASKED ? "masked" : "overlay");
  else if (code == NOTHING)
    printf("{\"probe\":\"%s\",\"result\":\"blocked\"}\n", p->name);
  else
    printf("{\"probe\":\"%s\",\"result\":\"%s\",\"errno\":\"%s\"}\n", p->name,
           listed(p->blocked, code) ? "blocked" : "succeeded", strerrorname_np(code) ? strerrorname_np(code) : "?");
  return true;
}

static const struct probe *find_probe(const char *name, size_t length) {
  for (size_t i = 0; i < PROBE_COUNT; i++)
    if (strlen(PROBES[i].name) == length && strncmp(PROBES[i].name, name, length) == 0) return &PROBES[i];
  return NULL;
}

/* A scratch directory (with jail/ and mnt/) in the first writable place; "" when the container has none. */
static void make_scratch(void) {
  static const char *const BASES[] = {"/tmp", "/dev/shm", "/run", "/var/tmp"};
  for (size_t i = 0; i < sizeof BASES / sizeof BASES[0]; i++) {
    snprintf(opt.scratch, sizeof opt.scratch, "%s/escape-probe.%ld", BASES[i], (long)getpid());
    if (mkdir(opt.scratch, 0700) == 0) {
      char sub[96];
      snprintf(sub, sizeof sub, "%s/jail", opt.scratch);
      mkdir(sub, 0700);
      snprintf(sub, sizeof sub, "%s/mnt", opt.scratch);
      mkdir(sub, 0700);
      return;
    }
  }
  opt.scratch[0] = '\0';
}

static void remove_scratch(void) {
  if (opt.scratch[0] == '\0') return;
  char sub[96];
  snprintf(sub, sizeof sub, "%s/jail", opt.scratch);
  rmdir(sub);
  snprintf(sub, sizeof sub, "%s/mnt", opt.scratch);
  rmdir(sub);
  rmdir(opt.scratch);
}

int main(int argc, char **argv) {
  bool selected[PROBE_COUNT];
  bool only = false;
  memset(selected, 0, sizeof selected);
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    if (strcmp(arg, "--help") == 0) {
      fputs(USAGE, stdout);
      return 0;
    }
    if (i + 1 >= argc) usage_error("escape-probe", "unknown option or missing value", USAGE);
    const char *value = argv[++i];
    if (strcmp(arg, "--marker") == 0) {
      opt.marker = value;
    } else if (strcmp(arg, "--foreign") == 0) {
      opt.foreign = value;
    } else if (strcmp(arg, "--host-pid") == 0) {
      unsigned long long pid;
      if (!parse_count(value, 1, 4194304, &pid)) usage_error("escape-probe", "--host-pid needs a PID", USAGE);
      opt.host_pid = (long)pid;
    } else if (strcmp(arg, "--only") == 0) {
      only = true;
      for (const char *name = value; *name != '\0';) {
        size_t length = strcspn(name, ",");
        const struct probe *p = find_probe(name, length);
        if (p == NULL) usage_error("escape-probe", "--only names an unknown probe", USAGE);
        selected[p - PROBES] = true;
        name += length + (name[length] == ',');
      }
    } else {
      usage_error("escape-probe", "unknown option", USAGE);
    }
  }
  make_scratch();
  bool all_ran = true;
  for (size_t i = 0; i < PROBE_COUNT; i++)
    if (!only || selected[i]) all_ran &= run_probe(&PROBES[i]);
  remove_scratch();
  return all_ran ? 0 : 1;
}
