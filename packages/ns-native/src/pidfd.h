// pidfd.h — pidfds of processes ctr did not clone in this process (a container's PID 1 or shim started by
// an earlier ctr command), and pipes for a supervised container's output. A pidfd names one process for good:
// signals sent through it never reach a process that later reuses the pid.
// See: pidfd_open(2), pidfd_send_signal(2), poll(2), pipe(2).
#pragma once

#include <napi.h>

namespace ctr {

// pidfdOpen(pid): number — CLOEXEC
Napi::Value PidfdOpen(const Napi::CallbackInfo& info);
// pidfdSignal(fd, signal): boolean — false when the process is gone (ESRCH)
Napi::Value PidfdSignal(const Napi::CallbackInfo& info);
// pidfdWait(fd, timeoutMs): boolean — true once the process has exited (any process, not only children)
Napi::Value PidfdWait(const Napi::CallbackInfo& info);
// pipe(): [readFd, writeFd], both CLOEXEC
Napi::Value Pipe(const Napi::CallbackInfo& info);

}  // namespace ctr
