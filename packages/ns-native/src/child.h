// child.h — what the clone child needs, fully prepared by the parent before clone, and the child's entry.
// Every pointer here points into memory the parent allocated; the child reads its copy-on-write image of it
// and never allocates (see the rule at the top of child.cc).
// See: clone(2), signal-safety(7).
#pragma once

#include <linux/filter.h>
#include <sys/types.h>

#include <cstdint>

#include "process.h"
#include "setup_failure.h"

namespace ctr {

struct MountOp;  // mounts.h

// One filesystem step of the rootfs/proc/sys/dev stages. The parent builds the table; the child walks it.
struct SetupOp {
  // kBindNode: create an empty file at `path` and bind-mount the host's `source` device over it (in a user
  // namespace mknod is refused). kMoveTree: attach the idmapped rootfs the parent sent at `path`.
  // kOverlay: attach the rootfs and layer trees the parent sent at `path`, each dup3()ed onto its slot, then
  // mount the overlay (source, fstype, data) there (see layer.cc).
  enum Kind { kMount, kMkdir, kMknod, kSymlink, kBindNode, kMoveTree, kOverlay } kind;
  ctr_stage stage;
  const char* path;      // mount target, directory, node or link path (absolute, on the host side)
  const char* source;    // mount source or symlink target
  const char* fstype;    // mount only
  unsigned long flags;   // mount only
  const char* data;      // mount only
  mode_t mode;           // mkdir: permissions; mknod: S_IFCHR or S_IFBLK | permissions (chmod'ed afterwards, so
                         // umask does not matter)
  dev_t device;          // mknod only
};

// The sandboxing applied after pivot_root (src/hardening.cc). Zeroed = none of it.
struct SecurityPlan {
  bool capabilities;        // false: the runtime's capabilities are inherited unchanged
  uint64_t capKeep;         // the bounding set: bit n = capability n stays in it
  uint64_t capPermitted;    // the other four sets, bit n = capability n (lib/security.ts checked the
  uint64_t capEffective;    // kernel's rules: effective ⊆ permitted, inheritable ⊆ bounding,
  uint64_t capInheritable;  // ambient ⊆ permitted ∩ inheritable)
  uint64_t capAmbient;
  int capLastCap;           // /proc/sys/kernel/cap_last_cap
  bool noNewPrivileges;
  const sock_filter* seccomp;  // nullptr: no filter
  unsigned short seccompLength;
  const char* const* maskedPaths;  // absolute, inside the container
  int maskedCount;
  const char* const* readonlyPaths;
  int readonlyCount;
  bool readonlyRootfs;
  bool userns;  // the child receives the idmapped rootfs on controlSock and makes itself root of its userns
};

struct ChildPlan {
  // Pipes and sockets; the child closes the parent's ends first.
  int syncRead;
  int syncWriteParent;
  int errorWrite;
  int errorReadParent;
  int controlSock;        // child end of the socketpair (pty master out, rootfs tree in), -1 when unused
  int controlSockParent;  // -1 when unused

  // v1 `tasks` files of the container's cgroup, opened by the parent: the child writes "0" to each (CgroupJoin
  // in @ctr/cgroups says why it and not the parent).
  const int* cgroupTaskFds;
  int cgroupTaskCount;
  bool newCgroupNs;
  // With a writable layer: the fd numbers the overlay's option string names (layer.h LayerSlots); -1 without.
  int lowerSlot, layerSlot;
  const SetupOp* ops;
  int opCount;
  const MountOp* mounts;  // options.mounts (mounts.h), after `ops`
  int mountCount;

  const char* rootfs;
  const char* hostname;
  int hostnameLength;
  bool setHostname;  // false only when a test skipped the UTS namespace (CTR_TEST_SKIP_NS)
  const char* cwd;

  bool pty;
  unsigned short rows, cols;
  int stdioFds[3];  // fds mode only

  // The child only ever execs the sealed ctr-init memfd, never a path: see init/ctr-init.c for why. ctr-init
  // then execs the command (-x) or runs it as PID 1 (--init).
  int initFd;
  char* const* initArgv;  // ctr-init's argv: mode, error fd, candidates, the command's argv
  char* const* envp;

  // runc's create/start split (the OCI front end): an O_PATH fd of the state directory's exec.fifo, opened
  // before pivot_root and kept across the exec into ctr-init, which re-opens it for writing through
  // /proc/self/fd/N and so blocks until `start` opens it for reading. -1: the command runs at once.
  int execFifoFd;
  // The container outlives this runtime process (its engine's subreaper adopts it): the parent-death
  // signal is cleared right before the exec into ctr-init.
  bool outlivesParent;
  // fds 3 .. 3+preserveFds-1 of the runtime pass to the command (runc's --preserve-fds).
  int preserveFds;
  // exec --detach: the joining process leaves as soon as the program's pid is reported, so the program is
  // adopted by the runtime's reaper (the engine's subreaper) instead of waited for.
  bool execDetach;

  SecurityPlan security;
  ProcessSetup process;  // rlimits … of the first process (process.h)

  // `ctr exec` (RunExecChild): the namespaces of the running container behind joinPidfd, joined with one
  // setns; the program's host pid goes to reportWrite. Unused (zero) for a new container.
  int joinPidfd;
  int joinFlags;
  int reportWrite;
  int reportReadParent;
};

// Reports `syscall` failing with `err` at `stage` to the parent and _exit(127)s. Async-signal-safe.
[[noreturn]] void FailSetup(const ChildPlan& plan, ctr_stage stage, int err, const char* syscall,
                            const char* path);

// Runs the setup sequence and execs; never returns. On failure writes a ctr_setup_failure and _exit(127)s.
[[noreturn]] void RunChild(const ChildPlan& plan);

// `ctr exec`: waits for "go", joins the container's namespaces (one setns on its pidfd), forks the program so
// it is inside the PID namespace (stdio, cwd, user, capabilities, no_new_privs, seccomp as the container's
// PID 1 got them), reports its pid and exits with its status (128+N for a death by signal N). Never returns.
[[noreturn]] void RunExecChild(const ChildPlan& plan);

}  // namespace ctr
