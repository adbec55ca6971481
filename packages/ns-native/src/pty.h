// pty.h — terminal controls on a pty master handed out by spawnContainer.
// See: ioctl_tty(2) (TIOCSWINSZ).
#pragma once

#include <napi.h>

namespace ctr {

// setWinsize(fd: number, rows: number, cols: number): void
Napi::Value SetWinsize(const Napi::CallbackInfo& info);

}  // namespace ctr
