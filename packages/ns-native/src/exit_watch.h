// exit_watch.h — reaping one child through its pidfd: a blocking/non-blocking waitid(P_PIDFD) and a uv_poll
// watch that says when the pidfd became readable (the kernel marks a pidfd readable when the process exits).
// Never waitpid(-1): that would steal the exits of Node's child_process children.
// See: pidfd_open(2) ("Use cases for PID file descriptors"), waitid(2), libuv uv_poll_t.
#pragma once

#include <napi.h>
#include <uv.h>

namespace ctr {

struct ExitStatus {
  int exitCode;  // -1 when killed by a signal
  int signal;    // 0 when it exited normally
};

// waitid(P_PIDFD, pidfd, WEXITED [| WNOHANG]). Returns 1 when reaped (status filled), 0 when still running
// (non-blocking only), -errno on failure.
int ReapPidfd(int pidfd, bool block, ExitStatus* status);

// Calls `onReadable(data)` on the JS thread each time `pidfd` polls readable, until Close(). Any fd works the
// same way: Container::startAsync polls a child's error pipe with it.
class PidfdWatch {
 public:
  using Callback = void (*)(void* data);
  // Throws a JS error if the poll handle cannot be set up.
  static PidfdWatch* Start(Napi::Env env, int pidfd, Callback onReadable, void* data);
  // Stops polling and frees the watch once libuv has closed the handle; the pidfd stays open.
  void Close();

 private:
  PidfdWatch(Callback onReadable, void* data) : onReadable_(onReadable), data_(data) {}
  static void OnPoll(uv_poll_t* handle, int status, int events);
  uv_poll_t poll_{};
  Callback onReadable_;
  void* data_;
};

}  // namespace ctr
