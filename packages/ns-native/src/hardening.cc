// hardening.cc — masked paths, read-only paths and the read-only root, applied by the clone child after
// pivot_root, to the container's own /proc and /sys; before them, the check that those are procfs and sysfs.
//
// Paths are resolved with openat2(RESOLVE_NO_SYMLINKS): a symlink anywhere in the path (the container image
// controls everything outside /proc and /sys) fails with ELOOP instead of redirecting the mount — the trick
// behind runc's CVE-2025-31133. The mounts then go onto the resolved O_PATH fd with the new mount API
// (move_mount MOVE_MOUNT_T_EMPTY_PATH), so nothing is looked up twice. mount_setattr changes only the
// attribute it is given, so the locked flags of mounts inherited into a user namespace need no restating
// (a classic MS_REMOUNT would have to repeat them or fail with EPERM).
//
// See: openat2(2), open_tree(2), move_mount(2), mount_setattr(2), fsopen(2), fsconfig(2), fsmount(2),
// mount_namespaces(7) (locked mounts), statfs(2) (f_type magic numbers).
#include "hardening.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <initializer_list>

namespace ctr {
namespace {

constexpr unsigned kEmptyPaths = MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH;

// O_PATH fd of an absolute path inside the container, or -1 with errno (ELOOP: a symlink on the way).
int OpenNoSymlinks(const char* path, uint64_t extraFlags = 0) {
  open_how how{};
  how.flags = O_PATH | O_CLOEXEC | O_NOFOLLOW | extraFlags;
  how.resolve = RESOLVE_NO_SYMLINKS;
  return static_cast<int>(syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof how));
}

// A detached tmpfs mount with the given mount attributes; `options` are key=value pairs, nullptr-terminated.
int NewTmpfs(const ChildPlan& plan, ctr_stage stage, const char* path, const char* const* options,
             unsigned attributes) {
  int fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
  if (fs < 0) FailSetup(plan, stage, errno, "fsopen", path);
  for (const char* const* kv = options; *kv != nullptr; kv += 2) {
    if (fsconfig(fs, FSCONFIG_SET_STRING, kv[0], kv[1], 0) < 0) FailSetup(plan, stage, errno, "fsconfig", path);
  }
  if (fsconfig(fs, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) < 0) FailSetup(plan, stage, errno, "fsconfig", path);
  int mnt = fsmount(fs, FSMOUNT_CLOEXEC, attributes);
  if (mnt < 0) FailSetup(plan, stage, errno, "fsmount", path);
  close(fs);
  return mnt;
}

void Attach(const ChildPlan& plan, ctr_stage stage, int tree, int target, const char* path) {
  if (move_mount(tree, "", target, "", kEmptyPaths) < 0) FailSetup(plan, stage, errno, "move_mount", path);
  close(tree);
  close(target);
}

}  // namespace

void CheckKernelFilesystems(const ChildPlan& plan) {
  // The masks and read-only binds assume these are the kernel's own filesystems: with a symlink or another
  // filesystem there they would hide nothing, and a real procfs could sit unmasked elsewhere. child.cc
  // already refuses symlinked mount targets; this holds for whatever the rootfs was by the time of
  // pivot_root (another process may share and change it). fstatfs on the O_PATH fd: statfs(2) on the
  // path would follow a symlink again.
  struct Expected {
    const char* path;
    __fsword_t magic;
    ctr_stage stage;
  };
  for (Expected fs :
       {Expected{"/proc", PROC_SUPER_MAGIC, CTR_STAGE_PROC}, Expected{"/sys", SYSFS_MAGIC, CTR_STAGE_SYS}}) {
    int fd = OpenNoSymlinks(fs.path, O_DIRECTORY);
    if (fd < 0) FailSetup(plan, fs.stage, errno, "openat2", fs.path);
    struct statfs info;
    if (fstatfs(fd, &info) < 0) FailSetup(plan, fs.stage, errno, "fstatfs", fs.path);
    if (info.f_type != fs.magic) FailSetup(plan, fs.stage, EINVAL, "fstatfs", fs.path);
    close(fd);
  }
}

void MaskPaths(const ChildPlan& plan) {
  const SecurityPlan& s = plan.security;
  if (s.maskedCount == 0) return;
  const ctr_stage stage = CTR_STAGE_MASKED_PATHS;
  // Our own /dev (a fresh tmpfs), still checked like runc does: bind-mounting anything but the null device
  // over a path would expose that thing instead of hiding the path.
  int devNull = OpenNoSymlinks("/dev/null");
  if (devNull < 0) FailSetup(plan, stage, errno, "openat2", "/dev/null");
  struct stat st;
  if (fstat(devNull, &st) < 0) FailSetup(plan, stage, errno, "fstat", "/dev/null");
  if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) FailSetup(plan, stage, ENODEV, "fstat", "/dev/null");

  // nr_inodes=1: the root directory is the only inode it will ever have.
  const char* const emptyDir[] = {"nr_inodes", "1", "mode", "0555", nullptr};
  for (int i = 0; i < s.maskedCount; i++) {
    const char* path = s.maskedPaths[i];
    int target = OpenNoSymlinks(path);
    if (target < 0 && errno == ENOENT) continue;
    if (target < 0) FailSetup(plan, stage, errno, "openat2", path);
    if (fstat(target, &st) < 0) FailSetup(plan, stage, errno, "fstat", path);
    int tree;
    if (S_ISDIR(st.st_mode)) {
      tree = NewTmpfs(plan, stage, path, emptyDir,
                      MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
    } else {
      tree = open_tree(devNull, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
      if (tree < 0) FailSetup(plan, stage, errno, "open_tree", "/dev/null");
    }
    Attach(plan, stage, tree, target, path);
  }
  close(devNull);
}

void MakePathsReadonly(const ChildPlan& plan) {
  const SecurityPlan& s = plan.security;
  const ctr_stage stage = CTR_STAGE_READONLY_PATHS;
  for (int i = 0; i < s.readonlyCount; i++) {
    const char* path = s.readonlyPaths[i];
    int target = OpenNoSymlinks(path);
    if (target < 0 && errno == ENOENT) continue;
    if (target < 0) FailSetup(plan, stage, errno, "openat2", path);
    // A recursive clone, so mounts below the path (binfmt_misc under /proc/sys, masks) turn read-only too;
    // in a user namespace a non-recursive clone of a mount with locked children is refused anyway.
    int tree = open_tree(target, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
    if (tree < 0) FailSetup(plan, stage, errno, "open_tree", path);
    mount_attr attr{};
    attr.attr_set = MOUNT_ATTR_RDONLY;
    if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
      FailSetup(plan, stage, errno, "mount_setattr", path);
    Attach(plan, stage, tree, target, path);
  }
}

void MakeRootReadonly(const ChildPlan& plan) {
  if (!plan.security.readonlyRootfs) return;
  const ctr_stage stage = CTR_STAGE_READONLY_ROOT;
  // Created while the root is still writable; the mode of the directory underneath does not matter.
  if (mkdir("/tmp", 0755) < 0 && errno != EEXIST) FailSetup(plan, stage, errno, "mkdir", "/tmp");
  int target = OpenNoSymlinks("/tmp", O_DIRECTORY);
  if (target < 0) FailSetup(plan, stage, errno, "openat2", "/tmp");
  const char* const options[] = {"mode", "1777", nullptr};
  Attach(plan, stage, NewTmpfs(plan, stage, "/tmp", options, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV), target,
         "/tmp");
  // Only the root mount: /proc, /dev, /dev/shm and the new /tmp stay as they are (runc does the same).
  mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_RDONLY;
  if (mount_setattr(AT_FDCWD, "/", 0, &attr, sizeof attr) < 0) FailSetup(plan, stage, errno, "mount_setattr", "/");
}

}  // namespace ctr
