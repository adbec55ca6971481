// pty.h — terminal controls on a pty master handed out by spawnContainer, and the terminal test.
// See: ioctl_tty(2) (TIOCSWINSZ), isatty(3).
#pragma once

#include <napi.h>

namespace ctr {

// setWinsize(fd: number, rows: number, cols: number): void
Napi::Value SetWinsize(const Napi::CallbackInfo& info);

// isTerminal(fd: number): boolean — isatty(3), without building Node's stream for process.stdin.
Napi::Value IsTerminal(const Napi::CallbackInfo& info);

}  // namespace ctr
