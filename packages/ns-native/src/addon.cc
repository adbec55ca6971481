// addon.cc — module registration only; each syscall family lives in its own file.
#include <napi.h>
#include <unistd.h>

#include <cerrno>

#include "bpf.h"
#include "errors.h"
#include "init_image.h"
#include "netlink.h"
#include "pidfd.h"
#include "pty.h"
#include "spawn.h"

namespace ctr {
namespace {

// close(fd): for fds the addon hands out (netlink sockets, pidfds, pty masters).
Napi::Value Close(const Napi::CallbackInfo& info) {
  int fd = info[0].As<Napi::Number>().Int32Value();
  if (close(fd) < 0) ThrowErrno(info.Env(), errno, "close");
  return info.Env().Undefined();
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("close", Napi::Function::New(env, Close));
  exports.Set("netlinkOpen", Napi::Function::New(env, NetlinkOpen));
  exports.Set("netlinkSend", Napi::Function::New(env, NetlinkSend));
  exports.Set("netlinkRecv", Napi::Function::New(env, NetlinkRecv));
  exports.Set("setWinsize", Napi::Function::New(env, SetWinsize));
  exports.Set("isTerminal", Napi::Function::New(env, IsTerminal));
  exports.Set("sendFdToSocket", Napi::Function::New(env, SendFdToSocket));
  exports.Set("loadInitImage", Napi::Function::New(env, LoadInitImage));
  exports.Set("bpfProgLoad", Napi::Function::New(env, BpfProgLoad));
  exports.Set("bpfProgAttach", Napi::Function::New(env, BpfProgAttach));
  exports.Set("bpfProgQuery", Napi::Function::New(env, BpfProgQuery));
  exports.Set("bpfProgGetFdById", Napi::Function::New(env, BpfProgGetFdById));
  exports.Set("pidfdOpen", Napi::Function::New(env, PidfdOpen));
  exports.Set("pidfdSignal", Napi::Function::New(env, PidfdSignal));
  exports.Set("pidfdWait", Napi::Function::New(env, PidfdWait));
  exports.Set("pipe", Napi::Function::New(env, Pipe));
  RegisterSpawn(env, exports);
  return exports;
}

}  // namespace ctr

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return ctr::Init(env, exports); }

NODE_API_MODULE(ctr_native, InitAddon)
