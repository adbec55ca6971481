// child.h — what the clone child needs, fully prepared by the parent before clone, and the child's entry.
// Every pointer here points into memory the parent allocated; the child reads its copy-on-write image of it
// and never allocates (see the rule at the top of child.cc).
// See: clone(2), signal-safety(7).
#pragma once

#include <sys/types.h>

#include "setup_failure.h"

namespace ctr {

// One filesystem step of the rootfs/proc/sys/dev stages. The parent builds the table; the child walks it.
struct SetupOp {
  enum Kind { kMount, kMkdir, kMknod, kSymlink } kind;
  ctr_stage stage;
  const char* path;      // mount target, directory, node or link path (absolute, on the host side)
  const char* source;    // mount source or symlink target
  const char* fstype;    // mount only
  unsigned long flags;   // mount only
  const char* data;      // mount only
  mode_t mode;           // mkdir/mknod (mknod: applied with chmod afterwards, so umask does not matter)
  dev_t device;          // mknod only
};

struct ChildPlan {
  // Pipes and sockets; the child closes the parent's ends first.
  int syncRead;
  int syncWriteParent;
  int errorWrite;
  int errorReadParent;
  int terminalSock;        // child end of the socketpair, -1 in fds mode
  int terminalSockParent;  // -1 in fds mode

  bool newCgroupNs;
  const SetupOp* ops;
  int opCount;

  const char* rootfs;
  const char* hostname;
  int hostnameLength;
  const char* cwd;

  bool pty;
  unsigned short rows, cols;
  int stdioFds[3];  // fds mode only

  int initFd;                   // sealed ctr-init memfd, -1 without init
  char* const* initArgv;        // ctr-init's argv (candidates and the command), init mode only
  char* const* argv;            // the command's argv
  char* const* envp;
  const char* const* execCandidates;  // nullptr-terminated
};

// Runs the setup sequence and execs; never returns. On failure writes a ctr_setup_failure and _exit(127)s.
[[noreturn]] void RunChild(const ChildPlan& plan);

}  // namespace ctr
