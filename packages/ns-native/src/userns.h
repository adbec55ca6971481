// userns.h — the parent's half of a user namespace container: write the child's id maps and hand it an
// idmapped clone of the rootfs, both before the "go" byte.
// See: user_namespaces(7), open_tree(2), mount_setattr(2) (MOUNT_ATTR_IDMAP).
#pragma once

#include <napi.h>
#include <sys/types.h>

#include <string>

namespace ctr {

// Container ids 0..size-1 are host ids hostUid.. / hostGid...
struct IdMapping {
  uint32_t hostUid, hostGid, size;
};

// Writes /proc/PID/uid_map and gid_map, clones `rootfs` (recursively) idmapped to the child's user namespace
// (read-only with `readonly`) and sends the detached mount over `controlSock`. Throws an errno-shaped error on
// failure; the caller kills the child.
void PrepareUserns(Napi::Env env, pid_t pid, const IdMapping& mapping, const std::string& rootfs, bool readonly,
                   int controlSock);

}  // namespace ctr
