// userns.cc — see userns.h.
//
// Why an idmapped mount: files of the rootfs belong to host uid 0, which is not mapped in the container's
// user namespace — inside they would show as the overflow uid (65534) and container root could not write
// them. MOUNT_ATTR_IDMAP makes a mount translate ownership through the namespace's mapping, so on-disk 0
// reads as container 0 and container root's writes are stored as 0, with no chown of the image. Only the
// filesystem's owner (here: init_user_ns, i.e. us, the privileged parent) may idmap a mount, and only while
// it is detached — hence open_tree(OPEN_TREE_CLONE) here and move_mount in the child.
//
// See: user_namespaces(7) ("Defining user and group ID mappings"), open_tree(2), mount_setattr(2),
// unix(7) (SCM_RIGHTS).
#include "userns.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>

#include "errors.h"
#include "fd_passing.h"
#include "unique_fd.h"

namespace ctr {
namespace {

void WriteMap(Napi::Env env, pid_t pid, const char* file, uint32_t hostId, uint32_t size) {
  std::string path = "/proc/" + std::to_string(pid) + "/" + file;
  std::string line = "0 " + std::to_string(hostId) + " " + std::to_string(size) + "\n";
  Fd fd{open(path.c_str(), O_WRONLY | O_CLOEXEC)};
  if (fd.fd < 0) ThrowErrno(env, errno, "open", path.c_str());
  // The kernel takes a map in a single write(2) and only once; a short write cannot be continued.
  ssize_t n = write(fd.fd, line.data(), line.size());
  if (n < 0) ThrowErrno(env, errno, "write", path.c_str());
  if (static_cast<size_t>(n) != line.size()) ThrowErrno(env, EIO, "write", path.c_str());
}

}  // namespace

void PrepareUserns(Napi::Env env, pid_t pid, const IdMapping& mapping, const std::string& rootfs, bool readonly,
                   int controlSock) {
  // A privileged writer (CAP_SETGID in the parent namespace) may write gid_map without setgroups=deny.
  WriteMap(env, pid, "uid_map", mapping.hostUid, mapping.size);
  WriteMap(env, pid, "gid_map", mapping.hostGid, mapping.size);

  std::string nsPath = "/proc/" + std::to_string(pid) + "/ns/user";
  Fd userns{open(nsPath.c_str(), O_RDONLY | O_CLOEXEC)};
  if (userns.fd < 0) ThrowErrno(env, errno, "open", nsPath.c_str());
  Fd tree{open_tree(AT_FDCWD, rootfs.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE)};
  if (tree.fd < 0) ThrowErrno(env, errno, "open_tree", rootfs.c_str());
  mount_attr attr{};
  // Read-only when it is the lower layer of an overlay (layer.cc), which never writes there.
  attr.attr_set = MOUNT_ATTR_IDMAP | (readonly ? MOUNT_ATTR_RDONLY : 0);
  attr.userns_fd = static_cast<uint64_t>(userns.fd);
  // EINVAL here usually means a filesystem without idmapping support somewhere in the tree (FS_ALLOW_IDMAP:
  // ext4, xfs, btrfs, tmpfs ≥ 6.3, overlayfs ≥ 5.19 …).
  if (mount_setattr(tree.fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
    ThrowErrno(env, errno, "mount_setattr", rootfs.c_str());
  if (SendFd(controlSock, tree.fd) < 0) ThrowErrno(env, errno, "sendmsg");
}

}  // namespace ctr
