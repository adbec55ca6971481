// exit_watch.cc — see exit_watch.h.
#include "exit_watch.h"

#include <sys/wait.h>

#include <cerrno>

#include "errors.h"

namespace ctr {

int ReapPidfd(int pidfd, bool block, ExitStatus* status) {
  siginfo_t info{};
  int r;
  do r = waitid(P_PIDFD, static_cast<id_t>(pidfd), &info, WEXITED | (block ? 0 : WNOHANG));
  while (r < 0 && errno == EINTR);
  if (r < 0) return -errno;
  // With WNOHANG and nothing to reap, waitid returns 0 and leaves si_pid zero (waitid(2)).
  if (info.si_pid == 0) return 0;
  if (info.si_code == CLD_EXITED) {
    *status = {info.si_status, 0};
  } else {
    *status = {-1, info.si_status};  // CLD_KILLED or CLD_DUMPED: si_status is the signal
  }
  return 1;
}

PidfdWatch* PidfdWatch::Start(Napi::Env env, int pidfd, Callback onReadable, void* data) {
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) throw Napi::Error::New(env, "no libuv loop for this env");
  auto* watch = new PidfdWatch(onReadable, data);
  int r = uv_poll_init(loop, &watch->poll_, pidfd);
  if (r == 0) {
    watch->poll_.data = watch;
    r = uv_poll_start(&watch->poll_, UV_READABLE, OnPoll);
    if (r != 0) {
      watch->Close();
      ThrowErrno(env, -r, "uv_poll_start");
    }
    return watch;
  }
  delete watch;  // uv_poll_init failed: the handle was never registered with the loop
  ThrowErrno(env, -r, "uv_poll_init");
}

void PidfdWatch::Close() {
  uv_poll_stop(&poll_);
  uv_close(reinterpret_cast<uv_handle_t*>(&poll_),
           [](uv_handle_t* handle) { delete static_cast<PidfdWatch*>(handle->data); });
}

void PidfdWatch::OnPoll(uv_poll_t* handle, int /*status*/, int /*events*/) {
  // An error status still means "look at the pidfd": waitid tells what really happened.
  auto* watch = static_cast<PidfdWatch*>(handle->data);
  watch->onReadable_(watch->data_);
}

}  // namespace ctr
