// errors.h — turn a failed syscall into a JS error shaped like Node's SystemError:
// { code: 'EPERM', errno: -1, syscall: 'setns', path?, message: 'setns: Operation not permitted' }.
// See: errno(3), Node's `util.getSystemErrorName`.
#pragma once

#include <napi.h>

namespace ctr {

// Builds the error object (not thrown) so callers can attach more fields first. `prefix` is prepended to the
// message verbatim (e.g. "container setup failed at ").
Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall, const char* path = nullptr,
                       const char* prefix = nullptr);

// Throws ErrnoError as a C++ exception (node_addon_api_except is on).
[[noreturn]] void ThrowErrno(Napi::Env env, int err, const char* syscall, const char* path = nullptr);

}  // namespace ctr
