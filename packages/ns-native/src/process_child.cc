// process_child.cc — the clone child's half of process.h: raw syscalls only (see the rule in child.cc).
#include <sys/resource.h>
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

}  // namespace ctr
