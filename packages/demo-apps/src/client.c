/* client.c — the seed's TCP client: connects to HOST:PORT and prints what the server sent, as
 * "Received 25 bytes: hello from the other side". Connect and read each give up after 5 s, so a
 * silent or unreachable server yields one line on stderr and exit 1 rather than a hang.
 * See connect(2) (EINPROGRESS + SO_ERROR), poll(2), ip(7). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "args.h"

static const char USAGE[] =
    "usage: client HOST [PORT]\n"
    "  HOST is an IPv4 address; PORT defaults to 8080; gives up after 5 s without an answer\n";

enum { TIMEOUT_MS = 5000, MAX_REPLY = 1024 };

/* Waits for EVENTS on FD; returns 0 when ready, -1 with errno set (ETIMEDOUT when the 5 s pass). */
static int wait_for(int fd, short events) {
  struct pollfd pfd = {.fd = fd, .events = events};
  int ready;
  do ready = poll(&pfd, 1, TIMEOUT_MS);
  while (ready < 0 && errno == EINTR);
  if (ready == 0) errno = ETIMEDOUT;
  return ready > 0 ? 0 : -1;
}

/* Closes FD without losing the errno that explains why it is being given up. */
static int close_failed(int fd) {
  int saved = errno;
  close(fd);
  errno = saved;
  return -1;
}

static int connect_with_timeout(const struct sockaddr_in *addr) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0 || connect(fd, (const struct sockaddr *)addr, sizeof *addr) == 0) return fd;
  if (errno != EINPROGRESS || wait_for(fd, POLLOUT) < 0) return close_failed(fd);
  /* A non-blocking connect reports its outcome through SO_ERROR, not through poll. */
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err == 0) return fd;
  errno = err;
  return close_failed(fd);
}

/* Reads until the server closes the connection; returns the byte count or -1 with errno set. */
static ssize_t read_reply(int fd, char *buf, size_t cap) {
  size_t got = 0;
  while (got < cap) {
    if (wait_for(fd, POLLIN) < 0) return -1;
    ssize_t n = read(fd, buf + got, cap - got);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) return -1;
    if (n == 0) break;
    got += (size_t)n;
  }
  return (ssize_t)got;
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--help") == 0) {
    fputs(USAGE, stdout);
    return 0;
  }
  if (argc < 2 || argc > 3) usage_error("client", "expected HOST [PORT]", USAGE);
  unsigned long long port = 8080;
  if (argc == 3 && !parse_count(argv[2], 1, 65535, &port)) usage_error("client", "port must be 1..65535", USAGE);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1) usage_error("client", "HOST must be an IPv4 address", USAGE);

  int fd = connect_with_timeout(&addr);
  if (fd < 0) {
    fprintf(stderr, "client: cannot connect to %s:%llu: %s\n", argv[1], port, strerror(errno));
    return 1;
  }
  char reply[MAX_REPLY];
  ssize_t n = read_reply(fd, reply, sizeof reply);
  int saved = errno;
  close(fd);
  if (n < 0) {
    fprintf(stderr, "client: no reply from %s:%llu: %s\n", argv[1], port, strerror(saved));
    return 1;
  }
  if (n == 0) {
    fprintf(stderr, "client: %s:%llu closed the connection without a reply\n", argv[1], port);
    return 1;
  }
  printf("Received %zd bytes: %.*s\n", n, (int)n, reply);
  return 0;
}
