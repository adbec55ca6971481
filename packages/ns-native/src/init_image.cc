// init_image.cc — see init_image.h.
#include "init_image.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "errors.h"

namespace ctr {

Napi::Value LoadInitImage(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>().Utf8Value();
  int src = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (src < 0) ThrowErrno(env, errno, "open", path.c_str());
  struct stat st{};
  if (fstat(src, &st) < 0) {
    int err = errno;
    close(src);
    ThrowErrno(env, err, "fstat", path.c_str());
  }
  // The memfd's name is what /proc/PID/exe shows (e.g. "/memfd:ctr-shim (deleted)").
  std::string name = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "ctr-init";
  int mem = memfd_create(name.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (mem < 0) {
    int err = errno;
    close(src);
    ThrowErrno(env, err, "memfd_create");
  }
  off_t done = 0;
  while (done < st.st_size) {
    ssize_t n = sendfile(mem, src, &done, static_cast<size_t>(st.st_size - done));
    if (n <= 0) {
      int err = n < 0 ? errno : EIO;  // 0 means the file shrank under us
      close(src);
      close(mem);
      ThrowErrno(env, err, "sendfile", path.c_str());
    }
  }
  close(src);
  // F_SEAL_WRITE forbids writes through any fd or mapping, F_SEAL_SEAL forbids undoing the seals.
  if (fcntl(mem, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0) {
    int err = errno;
    close(mem);
    ThrowErrno(env, err, "fcntl", "F_ADD_SEALS");
  }
  return Napi::Number::New(env, mem);
}

}  // namespace ctr
