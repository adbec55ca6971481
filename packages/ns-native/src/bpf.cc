// bpf.cc — thin bpf(2) wrappers, see bpf.h. Programs are generated in TypeScript (@ctr/cgroups); this file
// only moves bytes into the kernel. No libbpf: glibc has no bpf() wrapper, so it is syscall(SYS_bpf, …).
// Runs on the JS main thread; every call is a short, non-blocking syscall.
#include "bpf.h"

#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "errors.h"

namespace ctr {
namespace {

long Bpf(int cmd, bpf_attr& attr) {
  long rc;
  do rc = syscall(SYS_bpf, cmd, &attr, sizeof attr);
  while (rc < 0 && errno == EINTR);
  return rc;
}

int IntArg(const Napi::CallbackInfo& info, size_t i, const char* name) {
  if (!info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a number");
  return info[i].As<Napi::Number>().Int32Value();
}

// The verifier explains a refusal in its log; 64 KiB holds it for programs of a few hundred instructions.
constexpr size_t kLogSize = 64 * 1024;

}  // namespace

Napi::Value BpfProgLoad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int type = IntArg(info, 0, "progType");
  if (!info[1].IsBuffer()) throw Napi::TypeError::New(env, "insns must be a Buffer");
  auto insns = info[1].As<Napi::Buffer<uint8_t>>();
  if (insns.Length() == 0 || insns.Length() % sizeof(bpf_insn) != 0)
    throw Napi::RangeError::New(env, "insns must hold whole 8-byte instructions");
  std::string license = info[2].As<Napi::String>().Utf8Value();

  bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.prog_type = static_cast<uint32_t>(type);
  attr.insn_cnt = static_cast<uint32_t>(insns.Length() / sizeof(bpf_insn));
  attr.insns = reinterpret_cast<uintptr_t>(insns.Data());
  attr.license = reinterpret_cast<uintptr_t>(license.c_str());
  // BPF_F_* flags none; CLOEXEC is implied: the kernel always returns bpf fds with O_CLOEXEC.
  long fd = Bpf(BPF_PROG_LOAD, attr);
  if (fd >= 0) return Napi::Number::New(env, static_cast<double>(fd));
  int err = errno;
  // Load again with a log only on failure: asking for it on success costs the verifier time.
  std::vector<char> log(kLogSize, '\0');
  attr.log_level = 1;
  attr.log_size = static_cast<uint32_t>(log.size());
  attr.log_buf = reinterpret_cast<uintptr_t>(log.data());
  long again = Bpf(BPF_PROG_LOAD, attr);
  if (again >= 0) close(static_cast<int>(again));  // a transient failure (EAGAIN): report the first one anyway
  log.back() = '\0';
  Napi::Error error = ErrnoError(env, err, "bpf", nullptr, "BPF_PROG_LOAD: ");
  error.Value().Set("verifierLog", Napi::String::New(env, log.data()));
  throw error;
}

Napi::Value BpfProgAttach(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.target_fd = static_cast<uint32_t>(IntArg(info, 0, "targetFd"));
  attr.attach_bpf_fd = static_cast<uint32_t>(IntArg(info, 1, "progFd"));
  attr.attach_type = static_cast<uint32_t>(IntArg(info, 2, "attachType"));
  attr.attach_flags = static_cast<uint32_t>(IntArg(info, 3, "flags"));
  if (Bpf(BPF_PROG_ATTACH, attr) < 0) throw ErrnoError(env, errno, "bpf", nullptr, "BPF_PROG_ATTACH: ");
  return env.Undefined();
}

Napi::Value BpfProgQuery(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  // A cgroup holds at most BPF_CGROUP_MAX_PROGS (64) programs per attach type.
  uint32_t ids[64] = {};
  bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.query.target_fd = static_cast<uint32_t>(IntArg(info, 0, "targetFd"));
  attr.query.attach_type = static_cast<uint32_t>(IntArg(info, 1, "attachType"));
  attr.query.prog_ids = reinterpret_cast<uintptr_t>(ids);
  attr.query.prog_cnt = 64;
  if (Bpf(BPF_PROG_QUERY, attr) < 0) throw ErrnoError(env, errno, "bpf", nullptr, "BPF_PROG_QUERY: ");
  Napi::Array out = Napi::Array::New(env, attr.query.prog_cnt);
  for (uint32_t i = 0; i < attr.query.prog_cnt && i < 64; i++) out.Set(i, Napi::Number::New(env, ids[i]));
  Napi::Object result = Napi::Object::New(env);
  result.Set("ids", out);
  result.Set("flags", Napi::Number::New(env, attr.query.attach_flags));
  return result;
}

Napi::Value BpfProgGetFdById(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bpf_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.prog_id = static_cast<uint32_t>(info[0].As<Napi::Number>().Uint32Value());
  long fd = Bpf(BPF_PROG_GET_FD_BY_ID, attr);
  if (fd < 0) throw ErrnoError(env, errno, "bpf", nullptr, "BPF_PROG_GET_FD_BY_ID: ");
  return Napi::Number::New(env, static_cast<double>(fd));
}

}  // namespace ctr
