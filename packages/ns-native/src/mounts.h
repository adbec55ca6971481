// mounts.h — the caller's mount list (options.mounts, lib/mounts.ts): the parent's half opens every bind
// source as a detached tree before clone (and idmaps it once the child's user namespace exists); the child's
// half (mounts_child.cc) resolves each target inside the rootfs and attaches a tree or a new filesystem there.
// See: open_tree(2), mount_setattr(2), fsopen(2), fsconfig(2), fsmount(2), move_mount(2), openat2(2).
#pragma once

#include <napi.h>
#include <sys/types.h>

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "unique_fd.h"

namespace ctr {

struct ChildPlan;

// One entry of the list, everything the child needs ready-made.
struct MountOp {
  const char* destination;    // relative to the rootfs, normalized, no leading '/'
  int tree;                   // a bind: the detached tree the parent cloned (attributes already set); -1 otherwise
  bool file;                  // the bind's source is not a directory: the missing target is an empty file
  const char* fstype;         // fsopen() name (not a bind)
  const char* source;         // fsconfig "source" (not a bind)
  const char* const* params;  // fsconfig key, value pairs; value nullptr for a flag
  int paramCount;             // pairs
  unsigned attrs;             // fsmount() MOUNT_ATTR_* (not a bind)
  unsigned propagation;       // MS_PRIVATE … applied once attached, 0: unchanged
  bool recursive;             // the propagation reaches the submounts (rbind)
  bool readonlyAfter;         // made read-only once the whole list is mounted
};

// The list as the parent holds it until clone: stable addresses for the child's copy, and the trees' fds.
class MountPlan {
 public:
  std::vector<MountOp> ops;
  // Reads and prepares options.mounts (absent: none). Bind sources are opened here, on the host.
  void Read(Napi::Env env, Napi::Value value);
  // In a user namespace: every bind is idmapped to the child's (pid's) namespace, as the rootfs is.
  void Idmap(Napi::Env env, pid_t pid) const;

 private:
  std::deque<std::string> strings_;
  std::deque<std::vector<const char*>> params_;
  std::vector<std::unique_ptr<Fd>> trees_;  // closed with the plan, once the child has its copies
  std::vector<const char*> sources_;  // by index of ops: the bind source (error messages), nullptr otherwise
};

// Child: mounts the list in order, then makes the readonlyAfter targets read-only. Raw syscalls only.
void RunMounts(const ChildPlan& plan);

}  // namespace ctr
