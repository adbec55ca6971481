// pty.cc — see pty.h. Setting the size on the master makes the kernel send SIGWINCH to the slave's
// foreground process group, which is how a resize reaches the shell inside (ioctl_tty(2)).
#include "pty.h"

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "errors.h"
#include "fd_passing.h"
#include "unique_fd.h"

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

Napi::Value SendFdToSocket(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>().Utf8Value();
  int fd = info[1].As<Napi::Number>().Int32Value();
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path) ThrowErrno(env, ENAMETOOLONG, "connect", path.c_str());
  memcpy(addr.sun_path, path.data(), path.size());
  Fd sock(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (sock.fd < 0) ThrowErrno(env, errno, "socket");
  int rc;
  do rc = connect(sock.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  while (rc < 0 && errno == EINTR);
  if (rc < 0) ThrowErrno(env, errno, "connect", path.c_str());
  if (SendFd(sock.fd, fd) < 0) ThrowErrno(env, errno, "sendmsg", path.c_str());
  return env.Undefined();
}

}  // namespace ctr
