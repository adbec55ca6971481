// netlink.cc — raw NETLINK_ROUTE sockets, optionally created inside another network namespace.
// A netlink socket talks to the netns it was created in (netlink(7)), so to configure a container's side we
// switch the *calling thread* into the target netns, create the socket, and switch back. setns(CLONE_NEWNET) is
// per-thread and allowed in a multi-threaded process (setns(2)); it must run on the JS main thread and must
// always be undone, or later sockets and connects of that thread would land in the container.
// See: netlink(7), rtnetlink(7), setns(2).
#include "netlink.h"

#include <fcntl.h>
#include <linux/netlink.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "errors.h"

namespace ctr {

namespace {

// Opens and binds a route socket in the current thread's netns; returns -errno on failure.
int OpenRouteSocket() {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) return -errno;
  sockaddr_nl addr{};
  addr.nl_family = AF_NETLINK;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
    int err = errno;
    close(fd);
    return -err;
  }
  int one = 1;
  // Extended ACKs make the kernel attach a reason string to NLMSG_ERROR; strict checking makes dumps
  // honour the filters we send. Both are optional (older kernels), so failures are ignored on purpose.
  setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof one);
  return fd;
}

}  // namespace

// netlinkOpen(netnsPath?: string): number
Napi::Value NetlinkOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() == 0 || info[0].IsUndefined() || info[0].IsNull()) {
    int fd = OpenRouteSocket();
    if (fd < 0) ThrowErrno(env, -fd, "socket");
    return Napi::Number::New(env, fd);
  }
  std::string path = info[0].As<Napi::String>().Utf8Value();
  int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (self < 0) ThrowErrno(env, errno, "open", "/proc/thread-self/ns/net");
  int target = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (target < 0) {
    int err = errno;
    close(self);
    ThrowErrno(env, err, "open", path.c_str());
  }
  if (setns(target, CLONE_NEWNET) < 0) {
    int err = errno;
    close(target);
    close(self);
    ThrowErrno(env, err, "setns", path.c_str());
  }
  int fd = OpenRouteSocket();
  int back = setns(self, CLONE_NEWNET);
  int backErr = errno;
  close(target);
  close(self);
  if (back < 0) {
    // The main thread is stranded in the container's netns; nothing sane can follow.
    if (fd >= 0) close(fd);
    ThrowErrno(env, backErr, "setns", "/proc/thread-self/ns/net");
  }
  if (fd < 0) ThrowErrno(env, -fd, "socket", path.c_str());
  return Napi::Number::New(env, fd);
}

// netlinkSend(fd: number, message: Buffer): void — to the kernel (nl_pid 0).
Napi::Value NetlinkSend(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  Napi::Buffer<uint8_t> buf = info[1].As<Napi::Buffer<uint8_t>>();
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  ssize_t n;
  do {
    n = sendto(fd, buf.Data(), buf.Length(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel);
  } while (n < 0 && errno == EINTR);
  if (n < 0) ThrowErrno(env, errno, "sendto");
  return env.Undefined();
}

// netlinkRecv(fd: number, timeoutMs: number): Buffer — one datagram (may hold several messages).
// Blocking with SO_RCVTIMEO as a guard: replies to route requests arrive in microseconds, and a
// thread-pool hop would cost more than the wait. EAGAIN after the timeout surfaces as an error.
Napi::Value NetlinkRecv(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  int timeoutMs = info[1].As<Napi::Number>().Int32Value();
  timeval tv{timeoutMs / 1000, (timeoutMs % 1000) * 1000};
  if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0) ThrowErrno(env, errno, "setsockopt");
  // MSG_PEEK|MSG_TRUNC tells the size of the pending datagram, so a large dump is never cut short.
  ssize_t size;
  do {
    size = recv(fd, nullptr, 0, MSG_PEEK | MSG_TRUNC);
  } while (size < 0 && errno == EINTR);
  if (size < 0) ThrowErrno(env, errno, "recv");
  Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(env, static_cast<size_t>(size));
  ssize_t n;
  do {
    n = recv(fd, out.Data(), out.Length(), 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) ThrowErrno(env, errno, "recv");
  return out;
}

}  // namespace ctr
