// fd_passing.h — one fd over a unix socket with SCM_RIGHTS, one byte of payload. Used by the clone child too,
// so both functions make raw syscalls only (no allocation: async-signal-safe).
// See: unix(7) (SCM_RIGHTS), cmsg(3), recvmsg(2).
#pragma once

namespace ctr {

// Sends `fd`; returns 0, or -1 with errno set.
int SendFd(int sock, int fd);

// Receives one fd (CLOEXEC); returns it, or -1 with errno set. A peer that closed its end without sending
// (it died) reads as 0 bytes and is reported as ECONNRESET.
int ReceiveFd(int sock);

}  // namespace ctr
