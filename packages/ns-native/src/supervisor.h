// supervisor.h — the launcher: a process the addon clones from Node sharing Node's memory (CLONE_VM |
// CLONE_VFORK, see CloneLauncher in supervisor.cc), which clones the container's PID 1 as its own child and
// then execs the sealed ctr-shim image (init/ctr-shim.c). The shim is thereby the container's parent: it reaps
// it by pidfd, and the container's PR_SET_PDEATHSIG follows the shim, so a container outlives the ctr command
// that started it. The launcher runs inside a multi-threaded process's live memory, beside its other threads:
// raw syscalls only, stricter still than the clone child's rule at the top of child.cc.
// See: clone(2), vfork(2), execveat(2), close_range(2), pidfd_open(2).
#pragma once

#include <sys/types.h>

#include <cstdint>

#include "child.h"

namespace ctr {

// linux/sched.h's struct clone_args clashes with glibc's <sched.h>; this is its v2 layout (clone(2), Linux
// 5.7), whose `cgroup` field CLONE_INTO_CGROUP reads.
struct CloneArgs {
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

struct SupervisorPlan {
  int imageFd;             // sealed ctr-shim memfd
  char* const* argv;       // the shim's argv; one entry is `pidfdDigits`, filled in after the clone
  char* pidfdDigits;       // writable buffer of kDigits bytes
  int reportWrite;         // the container's pid (int32, or -errno) goes here; the shim then adds 'R'
  int reportReadParent;
  const int* keepFds;      // fds the shim keeps (pipes, the pty socket, ctr's pidfd), CLOEXEC cleared
  int keepCount;
  uint64_t containerFlags;  // namespace flags of the container's clone
  int cgroupFd;             // v2 group directory the container is cloned into (CLONE_INTO_CGROUP), or -1
  bool nullStdio;           // detached: 0-2 become /dev/null before the container is cloned (see RunLauncher)
  int joinPidFd = -1;       // a pid namespace to clone the container into (options.joinNamespaces), -1: a new one
  static constexpr int kDigits = 12;
};

// Clones the container (which runs RunChild(child)), reports its pid and execs the shim; never returns. On an
// exec failure it reports 'E' and the errno (int32) after the pid, where the shim writes 'R'.
[[noreturn]] void RunLauncher(const SupervisorPlan& sup, const ChildPlan& child);

// Clones the launcher (RunLauncher) sharing this process's memory, on a stack of its own (see supervisor.cc
// for why that is safe); returns once it has exec'd the shim or exited: its pid, and its pidfd in *pidfd. On
// failure -1 with errno, and *failed names the syscall. Call with every signal blocked, from the JS thread.
long CloneLauncher(const SupervisorPlan& sup, const ChildPlan& child, int* pidfd, const char** failed);

}  // namespace ctr
