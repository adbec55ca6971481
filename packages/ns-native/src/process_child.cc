// process_child.cc — the clone child's half of process.h: raw syscalls only (see the rule in child.cc).
// Credentials through syscall(2), never glibc's wrappers (README: "Threading rules").
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "child.h"
#include "process.h"

namespace ctr {
namespace {

const char* const kNames[] = {"RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE",
                              "RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS",
                              "RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE",
                              "RLIMIT_RTPRIO", "RLIMIT_RTTIME"};

}  // namespace

void JoinNamespaces(const ChildPlan& plan) {
  for (int i = 0; i < plan.process.joinCount; i++) {
    const NamespaceJoin& j = plan.process.joins[i];
    if (setns(j.fd, j.nstype) < 0) FailSetup(plan, CTR_STAGE_JOIN, errno, "setns", j.path);
    close(j.fd);
  }
}

void WriteSysctls(const ChildPlan& plan) {
  if (plan.process.sysctlCount == 0) return;
  // The container's own procfs (CheckKernelFilesystems proved it), reached without symlinks: a key is a path
  // below it and nothing else.
  int dir = open("/proc/sys", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (dir < 0) FailSetup(plan, CTR_STAGE_SYSCTL, errno, "open", "/proc/sys");
  for (int i = 0; i < plan.process.sysctlCount; i++) {
    const Sysctl& s = plan.process.sysctls[i];
    open_how how{};
    how.flags = O_WRONLY | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    int fd = static_cast<int>(syscall(SYS_openat2, dir, s.path, &how, sizeof how));
    if (fd < 0) FailSetup(plan, CTR_STAGE_SYSCTL, errno, "open", s.path);
    // A sysctl takes its value in one write; a short one would leave it half-set.
    ssize_t n = write(fd, s.value, s.length);
    if (n < 0) FailSetup(plan, CTR_STAGE_SYSCTL, errno, "write", s.path);
    if (static_cast<size_t>(n) != s.length) FailSetup(plan, CTR_STAGE_SYSCTL, EIO, "write", s.path);
    close(fd);
  }
  close(dir);
}

void ApplyRlimits(const ChildPlan& plan) {
  for (int i = 0; i < plan.process.rlimitCount; i++) {
    const ProcessLimit& l = plan.process.rlimits[i];
    rlimit64 value{l.soft, l.hard};
    // prlimit64 on ourselves: the limits survive execve. EPERM: a hard limit raised without CAP_SYS_RESOURCE.
    if (syscall(SYS_prlimit64, 0, l.resource, &value, nullptr) < 0) {
      const char* name = l.resource < static_cast<int>(sizeof kNames / sizeof kNames[0]) ? kNames[l.resource] : nullptr;
      FailSetup(plan, CTR_STAGE_RLIMITS, errno, "prlimit", name);
    }
  }
}

void SetUserGroups(const ChildPlan& plan) {
  if (!plan.process.setUser) return;
  if (syscall(SYS_setgroups, plan.process.groupCount, plan.process.groups) < 0)
    FailSetup(plan, CTR_STAGE_USER, errno, "setgroups", nullptr);
  gid_t gid = plan.process.gid;
  if (syscall(SYS_setresgid, gid, gid, gid) < 0) FailSetup(plan, CTR_STAGE_USER, errno, "setresgid", nullptr);
}

void SetUserIdAndUmask(const ChildPlan& plan, bool rearmDeathSignal) {
  if (plan.process.setUser) {
    uid_t uid = plan.process.uid;
    if (syscall(SYS_setresuid, uid, uid, uid) < 0) FailSetup(plan, CTR_STAGE_USER, errno, "setresuid", nullptr);
    // A change of the effective uid clears the parent-death signal (prctl(2)): armed again.
    if (rearmDeathSignal && prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) FailSetup(plan, CTR_STAGE_PDEATHSIG, errno, "prctl", nullptr);
  }
  if (plan.process.setUmask) umask(plan.process.umask);
}

}  // namespace ctr
