// child.cc — the clone child: namespaces are already new, this turns the process into the container and execs.
//
// ASYNC-SIGNAL-SAFETY RULE: this code runs in a copy of ONE thread of a multi-threaded Node process. Locks
// held by other threads (malloc, stdio, V8, libuv) were copied locked and will never be released. So between
// clone and execve only raw syscalls and async-signal-safe libc calls are allowed: no malloc/new, no
// std::string, no printf, no Napi, no exceptions. Every string and table comes ready-made in ChildPlan.
// Failures travel to the parent as one ctr_setup_failure record on the CLOEXEC error pipe.
//
// See: signal-safety(7), clone(2), mount(2), move_mount(2), pivot_root(2), pid_namespaces(7), pty(7),
// ioctl_tty(2), unix(7) (SCM_RIGHTS), prctl(2), close_range(2), execveat(2), user_namespaces(7).
#include "child.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "fd_passing.h"
#include "hardening.h"
#include "privileges.h"

namespace ctr {
namespace {

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

// `rootTree`: the idmapped rootfs received from the parent (user namespace only), for kMoveTree.
void RunOp(const ChildPlan& plan, const SetupOp& op, int rootTree) {
  switch (op.kind) {
    case SetupOp::kMount:
      if (mount(op.source, op.path, op.fstype, op.flags, op.data) < 0)
        FailSetup(plan, op.stage, errno, "mount", op.path);
      return;
    case SetupOp::kMkdir:
      // Mount points missing from the rootfs are created, as runc does; an existing one is fine.
      if (mkdir(op.path, op.mode) < 0 && errno != EEXIST) FailSetup(plan, op.stage, errno, "mkdir", op.path);
      return;
    case SetupOp::kMknod:
      if (mknod(op.path, S_IFCHR | op.mode, op.device) < 0) FailSetup(plan, op.stage, errno, "mknod", op.path);
      if (chmod(op.path, op.mode) < 0) FailSetup(plan, op.stage, errno, "chmod", op.path);
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
  }
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

[[noreturn]] void Exec(const ChildPlan& plan) {
  if (plan.initFd >= 0) {
    // ctr-init reports its own exec failure through this same pipe, so it must survive this exec.
    if (fcntl(plan.errorWrite, F_SETFD, 0) < 0) FailSetup(plan, CTR_STAGE_EXEC, errno, "fcntl", nullptr);
    if (plan.security.noNewPrivileges) InstallSeccomp(plan);
    syscall(SYS_execveat, plan.initFd, "", plan.initArgv, plan.envp, AT_EMPTY_PATH);
    FailSetup(plan, CTR_STAGE_EXEC, errno, "execveat", "ctr-init");
  }
  // Like execvp: "not there" moves on to the next candidate, EACCES is remembered in case nothing else
  // exists, anything else (ENOEXEC, ELOOP, E2BIG…) is the answer.
  if (plan.security.noNewPrivileges) InstallSeccomp(plan);
  const char* denied = nullptr;
  for (const char* const* c = plan.execCandidates; *c != nullptr; c++) {
    execve(*c, plan.argv, plan.envp);
    if (errno == ENOENT || errno == ENOTDIR) continue;
    if (errno == EACCES) {
      if (denied == nullptr) denied = *c;
      continue;
    }
    FailSetup(plan, CTR_STAGE_EXEC, errno, "execve", *c);
  }
  if (denied != nullptr) FailSetup(plan, CTR_STAGE_EXEC, EACCES, "execve", denied);
  FailSetup(plan, CTR_STAGE_EXEC, ENOENT, "execve", plan.argv[0]);
}

}  // namespace

void RunChild(const ChildPlan& plan) {
  close(plan.syncWriteParent);
  close(plan.errorReadParent);
  if (plan.controlSockParent >= 0) close(plan.controlSockParent);

  // If ctr dies, the container dies. getppid() cannot confirm the parent is still there (it is 0 across a
  // PID namespace boundary), but a parent that died before this prctl closed the sync pipe: WaitForGo sees EOF.
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) FailSetup(plan, CTR_STAGE_PDEATHSIG, errno, "prctl", nullptr);
  WaitForGo(plan);

  // Before any mount: directories created on the idmapped rootfs need an fsuid the idmapping can map (the
  // host's 0 is not in it: EOVERFLOW). The host path up to the rootfs must be searchable by hostUid now.
  int rootTree = plan.security.userns ? BecomeUsernsRoot(plan) : -1;
  if (plan.controlSock >= 0 && !plan.pty) close(plan.controlSock);

  // Unshared only now, after the parent placed us in our cgroups, so the namespace's root is our own cgroup
  // (runc does the same); at clone time it would have been the runtime's cgroup.
  if (plan.newCgroupNs && unshare(CLONE_NEWCGROUP) < 0) FailSetup(plan, CTR_STAGE_CGROUPNS, errno, "unshare", nullptr);

  for (int i = 0; i < plan.opCount; i++) RunOp(plan, plan.ops[i], rootTree);

  if (plan.setHostname && sethostname(plan.hostname, plan.hostnameLength) < 0)
    FailSetup(plan, CTR_STAGE_HOSTNAME, errno, "sethostname", plan.hostname);
  PivotRoot(plan);

  // Inside the new root, so the container's own /proc and /sys are what gets masked; masks before the
  // read-only binds so a read-only /proc/sys clones them along. The root turns read-only last: /tmp is
  // created on it first if missing. All of these mount, which needs CAP_SYS_ADMIN: before capabilities.
  MaskPaths(plan);
  MakePathsReadonly(plan);
  MakeRootReadonly(plan);
  // After the mounts, or a cwd under /tmp would stay on the directory the new tmpfs covers.
  if (chdir(plan.cwd) < 0) FailSetup(plan, CTR_STAGE_CWD, errno, "chdir", plan.cwd);

  if (plan.pty) {
    SetupPty(plan);
    close(plan.controlSock);
  } else {
    SetupFds(plan);
  }
  ResetSignals(plan);

  // Installing a filter without no_new_privs needs CAP_SYS_ADMIN, gone after DropCapabilities: then it must
  // come first (runc does the same) and the filter also sees capset, prctl, close_range and fcntl. With
  // no_new_privs it is the very last step before execve (in Exec), so it only has to allow exec itself.
  if (!plan.security.noNewPrivileges) InstallSeccomp(plan);
  DropCapabilities(plan);
  SetNoNewPrivileges(plan);

  // Any fd a runtime thread opened without CLOEXEC (or that we inherited) must not reach the container.
  if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    FailSetup(plan, CTR_STAGE_FDS, errno, "close_range", nullptr);
  Exec(plan);
}

}  // namespace ctr
