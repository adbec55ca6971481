// hardening.h — the clone child's mount hardening after pivot_root: a check that /proc and /sys really are
// procfs and sysfs, masked paths, read-only paths and a read-only root with a writable /tmp. Raw syscalls
// only (see the rule at the top of child.cc).
// See: open_tree(2), move_mount(2), mount_setattr(2), fsopen(2), openat2(2), statfs(2).
#pragma once

#include "child.h"

namespace ctr {

// After pivot_root: /proc must be a procfs and /sys a sysfs, reached without a symlink; else the setup
// fails at stage proc/sys (EINVAL for another filesystem).
void CheckKernelFilesystems(const ChildPlan& plan);

// Files get the container's /dev/null bind-mounted over them, directories an empty read-only tmpfs.
void MaskPaths(const ChildPlan& plan);

// Each path becomes a read-only (recursive) bind of itself.
void MakePathsReadonly(const ChildPlan& plan);

// Mounts a nosuid,nodev mode-1777 tmpfs on /tmp, then makes the root mount (only it) read-only.
void MakeRootReadonly(const ChildPlan& plan);

}  // namespace ctr
