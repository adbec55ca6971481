// init_image.h — the ctr-init binary as a sealed memfd, so the container can exec it without it being in
// the rootfs and can never write through /proc/1/exe to a host file (the CVE-2019-5736 class).
// See: memfd_create(2), fcntl(2) (File Sealing), execveat(2).
#pragma once

#include <napi.h>

namespace ctr {

// loadInitImage(path: string): number — a CLOEXEC memfd holding a copy of `path`, sealed against any change.
Napi::Value LoadInitImage(const Napi::CallbackInfo& info);

}  // namespace ctr
