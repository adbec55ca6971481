// pty.cc — see pty.h. Setting the size on the master makes the kernel send SIGWINCH to the slave's
// foreground process group, which is how a resize reaches the shell inside (ioctl_tty(2)).
#include "pty.h"

#include <sys/ioctl.h>
#include <unistd.h>
#include <termios.h>

#include <cerrno>

#include "errors.h"

namespace ctr {

Napi::Value SetWinsize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  winsize size{};
  size.ws_row = static_cast<unsigned short>(info[1].As<Napi::Number>().Uint32Value());
  size.ws_col = static_cast<unsigned short>(info[2].As<Napi::Number>().Uint32Value());
  if (ioctl(fd, TIOCSWINSZ, &size) < 0) ThrowErrno(env, errno, "ioctl");
  return env.Undefined();
}

Napi::Value IsTerminal(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), isatty(info[0].As<Napi::Number>().Int32Value()) == 1);
}

}  // namespace ctr
