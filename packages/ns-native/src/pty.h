// pty.h — terminal controls on a pty master handed out by spawnContainer, the terminal test, and the
// master's hand-over to an OCI engine's console socket. See: ioctl_tty(2) (TIOCSWINSZ), isatty(3), unix(7).
#pragma once

#include <napi.h>

namespace ctr {

// setWinsize(fd: number, rows: number, cols: number): void
Napi::Value SetWinsize(const Napi::CallbackInfo& info);

// isTerminal(fd: number): boolean — isatty(3), without building Node's stream for process.stdin.
Napi::Value IsTerminal(const Napi::CallbackInfo& info);

// sendFdToSocket(path: string, fd: number): void — connects to the unix stream socket at `path` and sends
// `fd` in one SCM_RIGHTS message (runc's --console-socket protocol; nothing is read back).
Napi::Value SendFdToSocket(const Napi::CallbackInfo& info);

}  // namespace ctr
