// layer.h — the parent's half of a container's writable layer: the rootfs becomes the read-only lower layer of
// an overlay whose upper and work directories live in a per-container directory the caller prepared
// (`<layer>/upper`, `<layer>/work`). The clone child mounts the overlay in its own mount namespace (child.cc,
// SetupOp::kOverlay); this side gives it what it cannot get itself.
// See: overlayfs (Documentation/filesystems/overlayfs.rst), open_tree(2), mount_setattr(2), unix(7).
#pragma once

#include <napi.h>

#include <string>

#include "unique_fd.h"

namespace ctr {

// Two fd numbers the parent holds open across clone. The child dup3()s the trees it receives onto them, so the
// option string the parent wrote beforehand can name the layers as /proc/self/fd/N.
struct LayerSlots {
  Fd lower, layer;
};

// Opens the slots (O_PATH of the rootfs and of the layer directory, which also proves both exist) and returns
// the overlay's option string. No host path appears in it, so overlayfs' option syntax (',' ':' '\' and '='
// are separators) cannot be confused by the paths the user chose. `userns`: the child mounts as root of its
// user namespace, which may not set trusted.* xattrs: overlayfs must use user.overlay.* ("userxattr").
std::string PrepareLayer(Napi::Env env, const std::string& rootfs, const std::string& layer, bool userns,
                         LayerSlots& slots);

// After clone, before "go": sends a read-only clone of the rootfs (unless `lowerSent`: the user namespace
// code already sent its idmapped one) and a clone of the layer directory over `sock`. Throws errno errors.
void SendLayerTrees(Napi::Env env, const std::string& rootfs, const std::string& layer, bool lowerSent, int sock);

}  // namespace ctr
