// supervisor.cc — see supervisor.h.
#include "supervisor.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace ctr {
namespace {

void FormatDecimal(char* out, int value) {
  char digits[SupervisorPlan::kDigits];
  int n = 0;
  do digits[n++] = static_cast<char>('0' + value % 10);
  while ((value /= 10) > 0 && n < SupervisorPlan::kDigits - 1);
  for (int i = 0; i < n; i++) out[i] = digits[n - 1 - i];
  out[n] = '\0';
}

}  // namespace

void RunLauncher(const SupervisorPlan& sup, const ChildPlan& child) {
  close(sup.reportReadParent);
  // A detached container gets its stdio from pipes above 2; until its exec it holds a copy of everything
  // else this process has, and ctr's own stdout in that copy would keep a `ctr create | …` pipeline open
  // until `ctr start`. The shim makes its own 0-2 /dev/null too.
  if (sup.nullStdio) {
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    for (int fd = 0; fd < 3 && null >= 0; fd++) dup3(null, fd, O_CLOEXEC);
    if (null > 2) close(null);
  }
  int pidfd = -1;
  // setns(CLONE_NEWPID) moves only the children made afterwards: the container cloned next is inside.
  if (sup.joinPidFd >= 0 && setns(sup.joinPidFd, CLONE_NEWPID) < 0) {
    int32_t failed = -errno;
    ssize_t ignored = write(sup.reportWrite, &failed, sizeof failed);
    (void)ignored;
    _exit(1);
  }
  CloneArgs args{};
  args.flags = sup.containerFlags | CLONE_PIDFD;
  if (sup.cgroupFd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<uint64_t>(sup.cgroupFd);
  }
  args.pidfd = reinterpret_cast<uintptr_t>(&pidfd);
  args.exit_signal = SIGCHLD;
  long pid = syscall(SYS_clone3, &args, sizeof args);
  if (pid == 0) RunChild(child);
  int32_t report = pid < 0 ? -errno : static_cast<int32_t>(pid);
  ssize_t ignored = write(sup.reportWrite, &report, sizeof report);
  (void)ignored;
  if (pid < 0) _exit(1);

  FormatDecimal(sup.pidfdDigits, pidfd);
  // Nothing of Node's fd table may reach the shim but what it is told about.
  syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
  fcntl(pidfd, F_SETFD, 0);
  fcntl(sup.reportWrite, F_SETFD, 0);
  for (int i = 0; i < sup.keepCount; i++) fcntl(sup.keepFds[i], F_SETFD, 0);
  char* const envp[] = {nullptr};
  syscall(SYS_execveat, sup.imageFd, "", sup.argv, envp, AT_EMPTY_PATH);
  // No shim: the report pipe closes without its 'R', so the runtime aborts; the container dies with us
  // (PR_SET_PDEATHSIG) or sees the sync pipe close.
  _exit(127);
}

}  // namespace ctr
