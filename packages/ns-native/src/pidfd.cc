// pidfd.cc — see pidfd.h.
#include "pidfd.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "errors.h"

namespace ctr {

Napi::Value PidfdOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = static_cast<int>(syscall(SYS_pidfd_open, info[0].As<Napi::Number>().Int32Value(), 0));
  if (fd < 0) ThrowErrno(env, errno, "pidfd_open");
  return Napi::Number::New(env, fd);
}

Napi::Value PidfdSignal(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  int sig = info[1].As<Napi::Number>().Int32Value();
  if (syscall(SYS_pidfd_send_signal, fd, sig, nullptr, 0) < 0) {
    if (errno == ESRCH) return Napi::Boolean::New(env, false);
    ThrowErrno(env, errno, "pidfd_send_signal");
  }
  return Napi::Boolean::New(env, true);
}

Napi::Value PidfdWait(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  pollfd pfd{info[0].As<Napi::Number>().Int32Value(), POLLIN, 0};
  int r;
  do r = poll(&pfd, 1, info[1].As<Napi::Number>().Int32Value());
  while (r < 0 && errno == EINTR);
  if (r < 0) ThrowErrno(env, errno, "poll");
  return Napi::Boolean::New(env, r > 0);
}

Napi::Value Pipe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) < 0) ThrowErrno(env, errno, "pipe2");
  Napi::Array out = Napi::Array::New(env, 2);
  out.Set(0u, Napi::Number::New(env, fds[0]));
  out.Set(1u, Napi::Number::New(env, fds[1]));
  return out;
}

}  // namespace ctr
