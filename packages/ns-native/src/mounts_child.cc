// mounts_child.cc — the clone child's half of options.mounts (see mounts.h): raw syscalls only, everything
// prepared by the parent (the rule at the top of child.cc).
//
// A target is reached from the rootfs one component at a time with openat2(RESOLVE_BENEATH |
// RESOLVE_NO_SYMLINKS): the image controls every name below the rootfs, and a symlink anywhere on the way
// (absolute, or ../ enough times) would otherwise put the mount on the host's tree before pivot_root. A
// missing component is created with mkdirat/mknodat, which never follow a final symlink (EEXIST), and then
// opened the same way, so a link there is ELOOP. The mount goes onto the resulting O_PATH fd with move_mount
// (MOVE_MOUNT_T_EMPTY_PATH): the path is never looked up twice. New filesystems come from fsopen/fsconfig/
// fsmount, detached until that move, so a failing parameter leaves nothing half-mounted.
// See: openat2(2), mkdirat(2), mknodat(2), fsopen(2), fsconfig(2), fsmount(2), move_mount(2),
// mount_setattr(2).
#include <fcntl.h>
#include <linux/limits.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "child.h"
#include "mounts.h"

namespace ctr {
namespace {

int OpenBeneath(int dir, const char* name, uint64_t flags) {
  open_how how{};
  how.flags = O_PATH | O_CLOEXEC | flags;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  return static_cast<int>(syscall(SYS_openat2, dir, name, &how, sizeof how));
}

// O_PATH fd of the target, creating what is missing: directories, and for a file bind an empty file last.
int OpenTarget(const ChildPlan& plan, const MountOp& op) {
  int dir = open(plan.rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) FailSetup(plan, CTR_STAGE_MOUNTS, errno, "open", plan.rootfs);
  const char* p = op.destination;
  char name[NAME_MAX + 1];
  for (;;) {
    const char* slash = strchr(p, '/');
    size_t len = slash != nullptr ? static_cast<size_t>(slash - p) : strlen(p);
    if (len == 0 || len > NAME_MAX) FailSetup(plan, CTR_STAGE_MOUNTS, ENAMETOOLONG, "openat2", op.destination);
    memcpy(name, p, len);
    name[len] = '\0';
    bool last = slash == nullptr;
    bool file = last && op.file;
    int made = file ? mknodat(dir, name, S_IFREG | 0644, 0) : mkdirat(dir, name, 0755);
    if (made < 0 && errno != EEXIST) FailSetup(plan, CTR_STAGE_MOUNTS, errno, file ? "mknodat" : "mkdirat", op.destination);
    int next = OpenBeneath(dir, name, file ? 0 : O_DIRECTORY);
    if (next < 0) FailSetup(plan, CTR_STAGE_MOUNTS, errno, "openat2", op.destination);
    close(dir);
    dir = next;
    if (last) return dir;
    p = slash + 1;
  }
}

// A detached mount of a new filesystem, with its parameters and attributes.
int NewFilesystem(const ChildPlan& plan, const MountOp& op) {
  int fs = static_cast<int>(syscall(SYS_fsopen, op.fstype, FSOPEN_CLOEXEC));
  if (fs < 0) FailSetup(plan, CTR_STAGE_MOUNTS, errno, "fsopen", op.destination);
  if (op.source != nullptr && syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "source", op.source, 0) < 0)
    FailSetup(plan, CTR_STAGE_MOUNTS, errno, "fsconfig", op.source);
  for (int i = 0; i < op.paramCount; i++) {
    const char* key = op.params[2 * i];
    const char* value = op.params[2 * i + 1];
    long r = value != nullptr ? syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, key, value, 0)
                              : syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, key, nullptr, 0);
    // The key as the path: "fsconfig: Invalid argument 'size'" says which parameter the filesystem refused.
    if (r < 0) FailSetup(plan, CTR_STAGE_MOUNTS, errno, "fsconfig", key);
  }
  if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) < 0)
    FailSetup(plan, CTR_STAGE_MOUNTS, errno, "fsconfig", op.destination);
  int mnt = static_cast<int>(syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, op.attrs));
  if (mnt < 0) FailSetup(plan, CTR_STAGE_MOUNTS, errno, "fsmount", op.destination);
  close(fs);
  return mnt;
}

void RunMount(const ChildPlan& plan, const MountOp& op) {
  int target = OpenTarget(plan, op);
  int mnt = op.tree >= 0 ? op.tree : NewFilesystem(plan, op);
  if (syscall(SYS_move_mount, mnt, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    FailSetup(plan, CTR_STAGE_MOUNTS, errno, "move_mount", op.destination);
  // Propagation only once attached: a detached mount has no peer group to join or leave (EINVAL).
  if (op.propagation != 0) {
    mount_attr attr{};
    attr.propagation = op.propagation;
    if (syscall(SYS_mount_setattr, mnt, "", AT_EMPTY_PATH | (op.recursive ? AT_RECURSIVE : 0), &attr, sizeof attr) < 0)
      FailSetup(plan, CTR_STAGE_MOUNTS, errno, "mount_setattr", op.destination);
  }
  close(mnt);
  close(target);
}

}  // namespace

void RunMounts(const ChildPlan& plan) {
  for (int i = 0; i < plan.mountCount; i++) RunMount(plan, plan.mounts[i]);
  for (int i = 0; i < plan.mountCount; i++) {
    const MountOp& op = plan.mounts[i];
    if (!op.readonlyAfter) continue;
    // Opened again: the lookup now ends on the mount made above (a path walk crosses onto the top mount).
    int target = OpenTarget(plan, op);
    mount_attr attr{};
    attr.attr_set = MOUNT_ATTR_RDONLY;
    if (syscall(SYS_mount_setattr, target, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
      FailSetup(plan, CTR_STAGE_MOUNTS, errno, "mount_setattr", op.destination);
    close(target);
  }
}

}  // namespace ctr
