// child.cc — the clone child: namespaces are already new, this turns the process into the container and execs.
//
// ASYNC-SIGNAL-SAFETY RULE: this code runs in a copy of ONE thread of a multi-threaded Node process. Locks
// held by other threads (malloc, stdio, V8, libuv) were copied locked and will never be released. So between
// clone and execve only raw syscalls and async-signal-safe libc calls are allowed: no malloc/new, no
// std::string, no printf, no Napi, no exceptions. Every string and table comes ready-made in ChildPlan.
// Failures travel to the parent as one ctr_setup_failure record on the CLOEXEC error pipe.
//
// See: signal-safety(7), clone(2), mount(2), move_mount(2), pivot_root(2), pid_namespaces(7), pty(7),
// ioctl_tty(2), unix(7) (SCM_RIGHTS), prctl(2), close_range(2), getcwd(2), execveat(2), user_namespaces(7),
// credentials(7).
#include "child.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <grp.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "fd_passing.h"
#include "hardening.h"
#include "mounts.h"
#include "privileges.h"

namespace ctr {
namespace {

// Bit of CAP_SETUID (linux/capability.h: 7) in a capability mask.
constexpr uint64_t kCapSetuid = 1ULL << 7;

void CopyBounded(char* dst, size_t size, const char* src) {
  if (src == nullptr) return;
  size_t n = strlen(src);
  if (n >= size) n = size - 1;
  memcpy(dst, src, n);
}

}  // namespace

void FailSetup(const ChildPlan& plan, ctr_stage stage, int err, const char* syscall, const char* path) {
  ctr_setup_failure record;
  memset(&record, 0, sizeof record);
  record.stage = stage;
  record.err = err;
  CopyBounded(record.syscall, sizeof record.syscall, syscall);
  CopyBounded(record.path, sizeof record.path, path);
  // If this write fails the parent sees EOF and a dead child; there is nobody else to tell.
  ssize_t ignored = write(plan.errorWrite, &record, sizeof record);
  (void)ignored;
  _exit(127);
}

namespace {

// mount(2) follows a symlink at its target, and until pivot_root a symlink resolves against the host's root:
// a rootfs whose /proc, /sys or /dev is a link (absolute, or ../ enough times) would get procfs, sysfs or the
// tmpfs that the device nodes are then created in mounted anywhere on the host's tree. So below the rootfs
// (already mounted at plan.rootfs; the host's part of the path is the runtime's business) the target must
// be reached without any symlink: ELOOP otherwise. The directories created before the mounts cannot be
// links: mkdir does not follow a final symlink (EEXIST), and dev/* are created inside the tmpfs mounted here.
void RefuseSymlinkTarget(const ChildPlan& plan, const SetupOp& op) {
  size_t n = strlen(plan.rootfs);
  if (strncmp(op.path, plan.rootfs, n) != 0 || op.path[n] != '/') FailSetup(plan, op.stage, EINVAL, "mount", op.path);
  int root = open(plan.rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) FailSetup(plan, op.stage, errno, "open", plan.rootfs);
  open_how how{};
  how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;  // no O_NOFOLLOW: a final symlink is ELOOP, not an fd to it
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS;
  int target = static_cast<int>(syscall(SYS_openat2, root, op.path + n + 1, &how, sizeof how));
  if (target < 0) FailSetup(plan, op.stage, errno, "openat2", op.path);
  close(target);
  close(root);
}

// Attaches a tree the parent sent at `op.path` (it becomes a mount of our namespace) and moves its fd to `slot`.
void AttachTree(const ChildPlan& plan, const SetupOp& op, int tree, int slot) {
  if (move_mount(tree, "", AT_FDCWD, op.path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
    FailSetup(plan, op.stage, errno, "move_mount", op.path);
  if (dup3(tree, slot, O_CLOEXEC) < 0) FailSetup(plan, op.stage, errno, "dup3", nullptr);
  close(tree);
}

// `rootTree`: the rootfs received from the parent (idmapped in a user namespace), for kMoveTree and kOverlay;
// `layerTree`: the container's layer directory, for kOverlay.
void RunOp(const ChildPlan& plan, const SetupOp& op, int rootTree, int layerTree) {
  switch (op.kind) {
    case SetupOp::kMount:
      if (op.stage != CTR_STAGE_ROOTFS) RefuseSymlinkTarget(plan, op);
      if (mount(op.source, op.path, op.fstype, op.flags, op.data) < 0)
        FailSetup(plan, op.stage, errno, "mount", op.path);
      return;
    case SetupOp::kMkdir:
      // Mount points missing from the rootfs are created, as runc does; an existing one is fine.
      if (mkdir(op.path, op.mode) < 0 && errno != EEXIST) FailSetup(plan, op.stage, errno, "mkdir", op.path);
      return;
    case SetupOp::kMknod:
      if (mknod(op.path, op.mode, op.device) < 0) FailSetup(plan, op.stage, errno, "mknod", op.path);
      if (chmod(op.path, op.mode & 07777) < 0) FailSetup(plan, op.stage, errno, "chmod", op.path);
      return;
    case SetupOp::kSymlink:
      if (symlink(op.source, op.path) < 0) FailSetup(plan, op.stage, errno, "symlink", op.path);
      return;
    case SetupOp::kBindNode: {
      int fd = open(op.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd < 0) FailSetup(plan, op.stage, errno, "open", op.path);
      close(fd);
      if (mount(op.source, op.path, nullptr, MS_BIND, nullptr) < 0) FailSetup(plan, op.stage, errno, "mount", op.path);
      return;
    }
    case SetupOp::kMoveTree:
      if (move_mount(rootTree, "", AT_FDCWD, op.path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
        FailSetup(plan, op.stage, errno, "move_mount", op.path);
      close(rootTree);
      return;
    case SetupOp::kOverlay:
      AttachTree(plan, op, rootTree, plan.lowerSlot);
      AttachTree(plan, op, layerTree, plan.layerSlot);
      if (mount(op.source, op.path, op.fstype, op.flags, op.data) < 0) FailSetup(plan, op.stage, errno, "mount", op.path);
      // overlayfs holds its own clones of the layers now.
      close(plan.lowerSlot);
      close(plan.layerSlot);
      return;
  }
}

int ReceiveTree(const ChildPlan& plan) {
  int tree = ReceiveFd(plan.controlSock);
  if (tree < 0) FailSetup(plan, CTR_STAGE_ROOTFS, errno, "recvmsg", nullptr);
  return tree;
}

// Blocks until the parent's "go" byte. EOF means the parent aborted (or died): leave without a report.
void WaitForGo(const ChildPlan& plan) {
  char byte = 0;
  ssize_t n;
  do n = read(plan.syncRead, &byte, 1);
  while (n < 0 && errno == EINTR);
  if (n < 0) FailSetup(plan, CTR_STAGE_SYNC, errno, "read", nullptr);
  if (n == 0) _exit(0);
  close(plan.syncRead);
}

// "0" moves the calling thread, which is all of this single-threaded process; the kernel then skips the
// global threadgroup lock a write by PID to cgroup.procs would take (cgroup_procs_write_start).
void JoinCgroups(const ChildPlan& plan) {
  for (int i = 0; i < plan.cgroupTaskCount; i++) {
    if (write(plan.cgroupTaskFds[i], "0", 1) != 1) FailSetup(plan, CTR_STAGE_CGROUP, errno, "write", "tasks");
    close(plan.cgroupTaskFds[i]);
  }
}

void PivotRoot(const ChildPlan& plan) {
  if (chdir(plan.rootfs) < 0) FailSetup(plan, CTR_STAGE_PIVOT_ROOT, errno, "chdir", plan.rootfs);
  // pivot_root(".", ".") stacks the old root on top of the new one; detaching "." then removes the old root
  // without needing a directory for it inside the rootfs (pivot_root(2) NOTES). Never chroot: escapable.
  if (syscall(SYS_pivot_root, ".", ".") < 0) FailSetup(plan, CTR_STAGE_PIVOT_ROOT, errno, "pivot_root", plan.rootfs);
  if (umount2(".", MNT_DETACH) < 0) FailSetup(plan, CTR_STAGE_PIVOT_ROOT, errno, "umount2", "/");
  if (chdir("/") < 0) FailSetup(plan, CTR_STAGE_PIVOT_ROOT, errno, "chdir", "/");
}

// runc's approach: the pty comes from the container's own devpts, so ttyname() resolves to /dev/pts/N inside.
void SetupPty(const ChildPlan& plan) {
  int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) FailSetup(plan, CTR_STAGE_TERMINAL, errno, "open", "/dev/ptmx");
  int unlock = 0;
  if (ioctl(master, TIOCSPTLCK, &unlock) < 0) FailSetup(plan, CTR_STAGE_TERMINAL, errno, "ioctl", "/dev/ptmx");
  // TIOCGPTPEER opens the slave through the master, with no path lookup to race against (ioctl_tty(2)).
  int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) FailSetup(plan, CTR_STAGE_TERMINAL, errno, "ioctl", "/dev/ptmx");
  winsize size{};
  size.ws_row = plan.rows;
  size.ws_col = plan.cols;
  if (ioctl(slave, TIOCSWINSZ, &size) < 0) FailSetup(plan, CTR_STAGE_TERMINAL, errno, "ioctl", "/dev/pts");

  if (SendFd(plan.controlSock, master) < 0) FailSetup(plan, CTR_STAGE_TERMINAL, errno, "sendmsg", nullptr);
  close(master);

  if (setsid() < 0) FailSetup(plan, CTR_STAGE_TERMINAL, errno, "setsid", nullptr);
  if (ioctl(slave, TIOCSCTTY, 0) < 0) FailSetup(plan, CTR_STAGE_TERMINAL, errno, "ioctl", "/dev/pts");
  for (int fd = 0; fd < 3; fd++) {
    // dup2 clears FD_CLOEXEC on the copy, so 0-2 survive exec while `slave` itself does not.
    if (dup2(slave, fd) < 0) FailSetup(plan, CTR_STAGE_TERMINAL, errno, "dup2", nullptr);
  }
}

void SetupFds(const ChildPlan& plan) {
  if (setsid() < 0) FailSetup(plan, CTR_STAGE_TERMINAL, errno, "setsid", nullptr);
  // Move the sources above 2 first so a permutation such as [1, 0, 2] cannot clobber itself.
  int moved[3];
  for (int i = 0; i < 3; i++) {
    moved[i] = fcntl(plan.stdioFds[i], F_DUPFD_CLOEXEC, 3);
    if (moved[i] < 0) FailSetup(plan, CTR_STAGE_TERMINAL, errno, "fcntl", nullptr);
  }
  for (int i = 0; i < 3; i++) {
    if (dup2(moved[i], i) < 0) FailSetup(plan, CTR_STAGE_TERMINAL, errno, "dup2", nullptr);
    close(moved[i]);
    // Node sets O_NONBLOCK on stdio it touches, and the flag lives on the shared open file description:
    // the container's reads would see EAGAIN. libuv's own spawn clears it the same way.
    int flags = fcntl(i, F_GETFL);
    if (flags >= 0 && (flags & O_NONBLOCK)) fcntl(i, F_SETFL, flags & ~O_NONBLOCK);
  }
}

// The container's 0-2: its own pty (the master goes to the runtime over controlSock), or the given fds.
void SetupStdio(const ChildPlan& plan) {
  if (plan.pty) {
    SetupPty(plan);
    close(plan.controlSock);
  } else {
    SetupFds(plan);
  }
}

void ResetSignals(const ChildPlan& plan) {
  struct sigaction dfl;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  // Node ignores SIGPIPE and SIGXFSZ, and ignored dispositions survive execve (signal(7)); libuv's handlers
  // would write into the parent's signal pipe. SIGKILL/SIGSTOP and glibc's reserved signals return EINVAL.
  for (int sig = 1; sig < NSIG; sig++) sigaction(sig, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  if (sigprocmask(SIG_SETMASK, &none, nullptr) < 0) FailSetup(plan, CTR_STAGE_SIGNALS, errno, "sigprocmask", nullptr);
}

// Everything but 0-2, the error pipe, the ctr-init memfd, the exec fifo and the preserved fds is closed for
// real, not only marked CLOEXEC: until execve every fd is still reachable as /proc/self/fd/N, and a cwd (or
// any path the setup resolves) through it would lead to whatever host file or directory the fd holds — runc's
// CVE-2024-21626. The preserved fds are the engine's, handed over on purpose (--preserve-fds).
void CloseExtraFds(const ChildPlan& plan) {
  int kept[3] = {plan.errorWrite, plan.initFd, plan.execFifoFd};
  // three entries: an insertion sort in place, no allocation
  for (int i = 1; i < 3; i++)
    for (int j = i; j > 0 && kept[j - 1] > kept[j]; j--) {
      int t = kept[j];
      kept[j] = kept[j - 1];
      kept[j - 1] = t;
    }
  unsigned first = 3U + static_cast<unsigned>(plan.preserveFds);
  for (int fd = 3; fd < static_cast<int>(first); fd++) fcntl(fd, F_SETFD, 0);  // EBADF for a gap: nothing to keep
  for (int keep : kept) {
    if (keep < static_cast<int>(first)) continue;
    if (keep > static_cast<int>(first) && syscall(SYS_close_range, first, keep - 1U, 0U) < 0)
      FailSetup(plan, CTR_STAGE_FDS, errno, "close_range", nullptr);
    first = keep + 1U;
  }
  if (syscall(SYS_close_range, first, ~0U, 0U) < 0) FailSetup(plan, CTR_STAGE_FDS, errno, "close_range", nullptr);
}

// chdir follows symlinks inside the new root ("/.." is "/" after pivot_root), but a magic link such as
// /proc/self/fd/N or /proc/N/cwd jumps straight to the file it names, wherever that is. The kernel's getcwd
// then answers with a path that starts "(unreachable)" instead of "/" (getcwd(2), NOTES): the cwd is outside
// our root. The raw syscall, since glibc's wrapper rewrites that answer; ENOENT is what glibc reports too.
void EnterCwd(const ChildPlan& plan) {
  if (chdir(plan.cwd) < 0) FailSetup(plan, CTR_STAGE_CWD, errno, "chdir", plan.cwd);
  char where[PATH_MAX];
  if (syscall(SYS_getcwd, where, sizeof where) < 0) FailSetup(plan, CTR_STAGE_CWD, errno, "getcwd", plan.cwd);
  if (where[0] != '/') FailSetup(plan, CTR_STAGE_CWD, ENOENT, "getcwd", plan.cwd);
}

// The first program is always the sealed ctr-init memfd, by fd: never a path, and never anything the clone
// child (a copy of the host's node) could be re-executed as through /proc/self/exe (see init/ctr-init.c).
// ctr-init then execs the command, trying the candidates like execvp, and reports its own exec failure
// through this same pipe, as {stage exec, syscall execve}; so the pipe must survive this exec.
[[noreturn]] void Exec(const ChildPlan& plan) {
  if (fcntl(plan.errorWrite, F_SETFD, 0) < 0) FailSetup(plan, CTR_STAGE_EXEC, errno, "fcntl", nullptr);
  if (plan.execFifoFd >= 0 && fcntl(plan.execFifoFd, F_SETFD, 0) < 0) FailSetup(plan, CTR_STAGE_EXEC, errno, "fcntl", nullptr);
  // Last: a runtime that dies before this still takes the half-made container with it.
  if (plan.outlivesParent && prctl(PR_SET_PDEATHSIG, 0) < 0) FailSetup(plan, CTR_STAGE_EXEC, errno, "prctl", nullptr);
  if (plan.security.noNewPrivileges) InstallSeccomp(plan);
  syscall(SYS_execveat, plan.initFd, "", plan.initArgv, plan.envp, AT_EMPTY_PATH);
  FailSetup(plan, CTR_STAGE_EXEC, errno, "execveat", "ctr-init");
}

}  // namespace

void RunChild(const ChildPlan& plan) {
  close(plan.syncWriteParent);
  close(plan.errorReadParent);
  if (plan.controlSockParent >= 0) close(plan.controlSockParent);

  // If ctr dies, the container dies. getppid() cannot confirm the parent is still there (it is 0 across a
  // PID namespace boundary), but a parent that died before this prctl closed the sync pipe: WaitForGo sees EOF.
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) FailSetup(plan, CTR_STAGE_PDEATHSIG, errno, "prctl", nullptr);
  // While the parent still sets up the network: off the start's critical path, and long before the command.
  JoinCgroups(plan);
  WaitForGo(plan);

  // Before any mount: directories created on the idmapped rootfs need an fsuid the idmapping can map (the
  // host's 0 is not in it: EOVERFLOW). The host path up to the rootfs must be searchable by hostUid now.
  // Without a user namespace too: the container's root starts as uid/gid 0 with no supplementary groups,
  // whatever ids and groups ctr itself runs with.
  int rootTree = -1;
  if (plan.security.userns)
    rootTree = BecomeUsernsRoot(plan);
  else
    BecomeRoot(plan, CTR_STAGE_CREDENTIALS);
  int layerTree = -1;
  if (plan.layerSlot >= 0) {
    // Sent before the "go" byte, after the idmapped rootfs when there is one (layer.cc).
    if (rootTree < 0) rootTree = ReceiveTree(plan);
    layerTree = ReceiveTree(plan);
  }
  if (plan.controlSock >= 0 && !plan.pty) close(plan.controlSock);

  // Unshared only now, after we joined our cgroups (or the parent placed us there), so the namespace's root
  // is our own cgroup (runc does the same); at clone time it would have been the runtime's cgroup.
  if (plan.newCgroupNs && unshare(CLONE_NEWCGROUP) < 0) FailSetup(plan, CTR_STAGE_CGROUPNS, errno, "unshare", nullptr);
  // Namespaces joined by path, before any mount: sysfs shows the network namespace of its mounter, mqueue the
  // IPC namespace, a cgroup mount the cgroup namespace.
  JoinNamespaces(plan);

  for (int i = 0; i < plan.opCount; i++) RunOp(plan, plan.ops[i], rootTree, layerTree);
  // The caller's mounts go on top of the defaults (a tmpfs on /tmp, a bind below /dev …), before pivot_root.
  RunMounts(plan);

  if (plan.setHostname && sethostname(plan.hostname, plan.hostnameLength) < 0)
    FailSetup(plan, CTR_STAGE_HOSTNAME, errno, "sethostname", plan.hostname);
  PivotRoot(plan);
  CheckKernelFilesystems(plan);
  // Through the container's own /proc, before MakePathsReadonly may make /proc/sys read-only.
  WriteSysctls(plan);

  // Inside the new root, so the container's own /proc and /sys are what gets masked; masks before the
  // read-only binds so a read-only /proc/sys clones them along. The root turns read-only last: /tmp is
  // created on it first if missing. All of these mount, which needs CAP_SYS_ADMIN: before capabilities.
  MaskPaths(plan);
  MakePathsReadonly(plan);
  MakeRootReadonly(plan);

  SetupStdio(plan);
  // Any fd a runtime thread opened (CLOEXEC or not) or that we inherited is gone before the first path
  // the container chose is resolved.
  CloseExtraFds(plan);
  // After the mounts, or a cwd under /tmp would stay on the directory the new tmpfs covers.
  EnterCwd(plan);
  // Late, so a low RLIMIT_NOFILE or RLIMIT_FSIZE cannot trip the setup itself.
  ApplyRlimits(plan);
  ResetSignals(plan);

  // Installing a filter without no_new_privs needs CAP_SYS_ADMIN, gone after DropCapabilities: then it must
  // come first (runc does the same) and the filter also sees capset, prctl and fcntl. With no_new_privs it
  // is the very last step before execveat (in Exec), so it only has to allow exec itself (execveat for
  // ctr-init, execve for the command) and the few calls of ctr-init's static start-up.
  SetUserGroups(plan);  // as for an exec'd program (RunExecProgram): before the filter and the drop
  if (!plan.security.noNewPrivileges) InstallSeccomp(plan);
  // CAP_SETUID until the uid is set: a uid other than 0 then loses every capability (capabilities(7)), root
  // keeps the kept set only.
  DropCapabilities(plan, plan.process.setUser ? kCapSetuid : 0);
  KeepPermittedOverUidChange(plan);
  SetUserIdAndUmask(plan, true);
  KeepOnlyCapabilities(plan);
  SetNoNewPrivileges(plan);
  Exec(plan);
}

namespace {

// The exec'd program (F), a child of RunExecChild inside the container's PID namespace: the same steps as the
// tail of RunChild, with the user (process.h): groups and gid before the capability drop (setgroups needs
// CAP_SETGID), the uid after it, so a uid away from 0 clears the effective set as the kernel does.
[[noreturn]] void RunExecProgram(const ChildPlan& plan) {
  SetupStdio(plan);
  CloseExtraFds(plan);
  EnterCwd(plan);
  ApplyRlimits(plan);
  ResetSignals(plan);
  SetUserGroups(plan);
  if (!plan.security.noNewPrivileges) InstallSeccomp(plan);
  DropCapabilities(plan, plan.process.setUser ? kCapSetuid : 0);
  KeepPermittedOverUidChange(plan);
  // No parent-death signal here: the program outlives `ctr exec` (reparented to the container's PID 1).
  SetUserIdAndUmask(plan, false);
  KeepOnlyCapabilities(plan);
  SetNoNewPrivileges(plan);
  Exec(plan);
}

int ExecProgramMain(void* plan) { RunExecProgram(*static_cast<const ChildPlan*>(plan)); }

// The program's stack (see CloneExecProgram): RunExecProgram needs a few KiB, like RunChild.
constexpr size_t kProgramStack = 256 * 1024;

// Clones the program sharing this process's memory (CLONE_VM | CLONE_VFORK) instead of copying it: this
// process is a copy of Node's whole address space, and a fork would copy its page tables a second time, on the
// path start() waits on. Safe here, unlike in Node itself, because this process is single-threaded: while the
// program runs in the memory, the only other task in it is this one, suspended until the program execs or
// exits. The program has its own stack (a guard page below it), fd table, fs (cwd, umask), signal handlers,
// rlimits and credentials (no CLONE_FILES/FS/SIGHAND/THREAD), so its setup changes nothing of ours; it shares
// our errno (same thread pointer), which we read only after a call of our own failed. Every signal stays
// blocked until its ResetSignals (inherited from the clone in spawn.cc). Returns its pid, or -1 with errno
// (clone's); a stack that cannot be mapped is this process's setup failure.
long CloneExecProgram(const ChildPlan& plan) {
  size_t guard = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  void* mem = mmap(nullptr, guard + kProgramStack, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
  if (mem == MAP_FAILED) FailSetup(plan, CTR_STAGE_JOIN, errno, "mmap", nullptr);
  if (mprotect(mem, guard, PROT_NONE) < 0) FailSetup(plan, CTR_STAGE_JOIN, errno, "mprotect", nullptr);
  // The mapping stays: this process only reports, waits and exits after the release.
  return clone(ExecProgramMain, static_cast<char*>(mem) + guard + kProgramStack, CLONE_VM | CLONE_VFORK | SIGCHLD,
               const_cast<ChildPlan*>(&plan));
}

}  // namespace

void RunExecChild(const ChildPlan& plan) {
  close(plan.syncWriteParent);
  close(plan.errorReadParent);
  close(plan.reportReadParent);
  if (plan.controlSockParent >= 0) close(plan.controlSockParent);
  // If `ctr exec` dies, this process goes; the program, reparented to the container's PID 1, stays (docker's
  // behaviour), and with a terminal it gets SIGHUP when the master closes.
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) FailSetup(plan, CTR_STAGE_PDEATHSIG, errno, "prctl", nullptr);
  WaitForGo(plan);
  // One setns on a pidfd joins every namespace at once (Linux 5.8); a mount namespace may only be joined by
  // a single-threaded process, which this copy of one Node thread is. Root and cwd move to the container's.
  if (setns(plan.joinPidfd, plan.joinFlags) < 0) FailSetup(plan, CTR_STAGE_JOIN, errno, "setns", nullptr);
  // setns(CLONE_NEWPID) places only children in the namespace: clone one. Its pid is reported once it has
  // exec'd (or failed, its record already in the error pipe): start() reads both anyway.
  long pid = CloneExecProgram(plan);
  if (pid < 0) FailSetup(plan, CTR_STAGE_JOIN, errno, "clone", nullptr);
  int32_t report = static_cast<int32_t>(pid);
  ssize_t ignored = write(plan.reportWrite, &report, sizeof report);
  (void)ignored;
  close(plan.reportWrite);
  close(plan.errorWrite);  // the program holds it until its exec: the runtime's read then sees EOF
  if (plan.controlSock >= 0) close(plan.controlSock);
  if (plan.execDetach) _exit(0);
  siginfo_t info;
  for (;;) {
    memset(&info, 0, sizeof info);
    if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED) == 0) break;
    if (errno != EINTR) _exit(125);
  }
  _exit(info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status);
}

}  // namespace ctr
