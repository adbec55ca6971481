// layer.cc — see layer.h.
//
// Why trees and slots instead of paths. overlayfs takes a private clone of each layer (clone_private_mount),
// which the kernel allows only for a mount of the mounter's own mount namespace, or the root of an anonymous
// one whose owner the mounter is privileged over. An fd the parent opened before clone points into the host's
// namespace (EINVAL: "failed to clone upperpath"), and in a user namespace the child cannot walk the host
// path to the root-only layer directory (EACCES) nor use a tree the parent detached (its anonymous namespace
// belongs to the initial user namespace: EPERM). So the parent detaches clones (open_tree(OPEN_TREE_CLONE)),
// the child attaches them inside its own namespace (move_mount), which makes them its own, and names them by
// fd: overlayfs resolves /proc/self/fd/N like any path, and the magic link needs no search permission on the
// directories above. Both trees are attached on the rootfs path itself, under the overlay that then covers
// them, and leave with the old root at pivot_root.
#include "layer.h"

#include <fcntl.h>
#include <sys/mount.h>

#include <cerrno>

#include "errors.h"
#include "fd_passing.h"

namespace ctr {
namespace {

int OpenSlot(Napi::Env env, const std::string& path) {
  int fd = open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) ThrowErrno(env, errno, "open", path.c_str());
  return fd;
}

void SendClone(Napi::Env env, const std::string& path, bool readonly, int sock) {
  Fd tree{open_tree(AT_FDCWD, path.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC)};
  if (tree.fd < 0) ThrowErrno(env, errno, "open_tree", path.c_str());
  if (readonly) {
    // overlayfs never writes its lower layer; a read-only mount makes that a kernel guarantee.
    mount_attr attr{};
    attr.attr_set = MOUNT_ATTR_RDONLY;
    if (mount_setattr(tree.fd, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
      ThrowErrno(env, errno, "mount_setattr", path.c_str());
  }
  if (SendFd(sock, tree.fd) < 0) ThrowErrno(env, errno, "sendmsg");
}

}  // namespace

std::string PrepareLayer(Napi::Env env, const std::string& rootfs, const std::string& layer, bool userns,
                         LayerSlots& slots) {
  slots.lower.fd = OpenSlot(env, rootfs);
  slots.layer.fd = OpenSlot(env, layer);
  std::string lower = "/proc/self/fd/" + std::to_string(slots.lower.fd);
  std::string dir = "/proc/self/fd/" + std::to_string(slots.layer.fd);
  return "lowerdir=" + lower + ",upperdir=" + dir + "/upper,workdir=" + dir + "/work" + (userns ? ",userxattr" : "");
}

void SendLayerTrees(Napi::Env env, const std::string& rootfs, const std::string& layer, bool lowerSent, int sock) {
  if (!lowerSent) SendClone(env, rootfs, true, sock);
  SendClone(env, layer, false, sock);
}

}  // namespace ctr
