// unique_fd.h — a file descriptor closed when its owner goes out of scope, also when a step throws. Parent
// side only (the clone child never unwinds).
#pragma once

#include <unistd.h>

namespace ctr {

struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int value) : fd(value) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

}  // namespace ctr
