// spawn.h — the container spawn primitive: clone3 into new namespaces with a pidfd, hold the child on a sync
// pipe until the caller has placed it (cgroups, veth), then let it set up its root and exec.
// See: clone(2) (clone3, CLONE_PIDFD), namespaces(7), pidfd_send_signal(2), waitid(2).
#pragma once

#include <napi.h>

namespace ctr {

// Defines the Container class (not constructible from JS) and the spawnContainer export.
void RegisterSpawn(Napi::Env env, Napi::Object exports);

}  // namespace ctr
