// errors.cc — see errors.h.
#include "errors.h"

#include <uv.h>

#include <cstring>
#include <string>

namespace ctr {

Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall, const char* path, const char* prefix) {
  std::string message = std::string(prefix != nullptr ? prefix : "") + syscall + ": " + strerror(err);
  if (path != nullptr) message += " '" + std::string(path) + "'";
  Napi::Error error = Napi::Error::New(env, message);
  Napi::Object obj = error.Value();
  // libuv's names are the ones Node uses for `code` (EPERM, ENOENT, …); errno is negative as in Node.
  obj.Set("code", Napi::String::New(env, uv_err_name(-err)));
  obj.Set("errno", Napi::Number::New(env, -err));
  obj.Set("syscall", Napi::String::New(env, syscall));
  if (path != nullptr) obj.Set("path", Napi::String::New(env, path));
  return error;
}

void ThrowErrno(Napi::Env env, int err, const char* syscall, const char* path) {
  throw ErrnoError(env, err, syscall, path);
}

}  // namespace ctr
