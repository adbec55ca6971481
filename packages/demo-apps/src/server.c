/* server.c — the seed's TCP server: greets every client with "hello from the other side" (25 bytes).
 * Logs "listening on 0.0.0.0:PORT" and "accepted from IP:PORT" one line at a time, so a test (or a human
 * watching a container's output) can wait for readiness. SIGTERM/SIGINT end it cleanly with status 0.
 * See socket(7), ip(7), accept(2), sigaction(2). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "args.h"

static const char USAGE[] =
    "usage: server [--port N] [--once]\n"
    "  listens on 0.0.0.0:N (default 8080; 0 picks a free port) and writes\n"
    "  \"hello from the other side\" to every client; --once exits after the first client\n";

static const char GREETING[] = "hello from the other side";

static volatile sig_atomic_t stop_requested = 0;

static void on_stop(int signo) {
  (void)signo;
  stop_requested = 1;
}

static void install_stop_handlers(void) {
  /* No SA_RESTART: the signal must interrupt accept(2) with EINTR so the loop sees the flag. */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  /* A client that hangs up early must not kill the server with SIGPIPE. */
  signal(SIGPIPE, SIG_IGN);
}

static int open_listener(unsigned port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    perror("server: socket");
    return -1;
  }
  int one = 1;
  /* Restarting the demo right after a run would otherwise fail with EADDRINUSE while TIME_WAIT lasts. */
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(fd, 16) < 0) {
    fprintf(stderr, "server: cannot listen on 0.0.0.0:%u: %s\n", port, strerror(errno));
    close(fd);
    return -1;
  }
  socklen_t len = sizeof addr;
  getsockname(fd, (struct sockaddr *)&addr, &len);
  printf("listening on 0.0.0.0:%u\n", ntohs(addr.sin_port));
  return fd;
}

int main(int argc, char **argv) {
  unsigned long long port = 8080;
  bool once = false;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0) {
      fputs(USAGE, stdout);
      return 0;
    } else if (strcmp(argv[i], "--once") == 0) {
      once = true;
    } else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
      if (!parse_count(argv[++i], 0, 65535, &port)) usage_error("server", "port must be 0..65535", USAGE);
    } else {
      usage_error("server", "unexpected argument", USAGE);
    }
  }
  /* Line-buffered even when stdout is a pipe, so each log line reaches the reader as it happens. */
  setvbuf(stdout, NULL, _IOLBF, 0);
  install_stop_handlers();

  int listener = open_listener((unsigned)port);
  if (listener < 0) return 1;
  while (!stop_requested) {
    struct sockaddr_in peer;
    socklen_t len = sizeof peer;
    int client = accept4(listener, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);
    if (client < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      perror("server: accept");
      close(listener);
      return 1;
    }
    char ip[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof ip);
    printf("accepted from %s:%u\n", ip, ntohs(peer.sin_port));
    if (write(client, GREETING, sizeof GREETING - 1) < 0) fprintf(stderr, "server: write: %s\n", strerror(errno));
    close(client);
    if (once) break;
  }
  close(listener);
  return 0;
}
