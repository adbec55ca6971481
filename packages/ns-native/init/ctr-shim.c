/* ctr-shim.c — the supervisor that stays on the host for one container, instead of a Node process (a few
 * hundred KiB instead of ~28 MiB). The addon's launcher (src/supervisor.cc) clones the container's PID 1 as
 * this process's child and then execs this image from a sealed memfd, so this is the container's parent:
 * PR_SET_PDEATHSIG ties the container to the shim, not to the ctr command that started it.
 *
 * What it does, in one poll(2) loop:
 *   - reaps the container through its pidfd (never waitpid(-1)) and writes DIR/exit.json atomically
 *     (temp + rename): {"exitCode":N|null,"signal":N|null,"finishedAt":"ISO"}; then it exits;
 *   - with -o/-e (pipes) or -t (a socket the container's pty master arrives on), copies the output to
 *     DIR/container.log, one CRI-style line per line of output ("TIME STREAM F|P TEXT", P = partial line),
 *     rotated to container.log.1 when it would pass -l bytes, and to every attached client;
 *   - serves attach on DIR/attach.sock (unix stream): frames of [type][u32 big-endian length][payload];
 *     shim → client: 'o' stdout, 'e' stderr, 'x' exited (then close), 'S' start result; client → shim: 'i'
 *     input (pty only), 'w' window size (u16 rows, u16 cols, pty only), 's' start (with -g/-f);
 *   - with -g/-f (`ctr create`), holds the container's "go" pipe and its setup-failure pipe: on 's' it lets
 *     the container run and answers 'S' with the failure record (struct ctr_setup_failure) or nothing;
 *   - with -w, watches the pidfd of a foreground `ctr run`: when that process dies (even by SIGKILL) the
 *     container is killed, as when ctr itself was its parent.
 *
 * Usage: ctr-shim -p PIDFD -r REPORTFD -d DIR [-w PIDFD] [-t SOCKFD | -o FD -e FD] [-g FD -f FD] [-l MAXBYTES]
 *   -r: the launcher wrote the container's pid there; the shim adds one byte 'R' once it runs, so the
 *       runtime knows the supervisor exists before it lets the container start.
 * Built static: it runs from a memfd and needs nothing on the host's filesystem.
 * See: pidfd_open(2), waitid(2), poll(2), unix(7) (SCM_RIGHTS), pty(7), rename(2).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 16
#define CLIENT_BUF 8192

struct client {
  int fd;
  size_t len;
  unsigned char buf[CLIENT_BUF];
};

static int pidfd = -1, watchfd = -1, termsock = -1, master = -1, outfd = -1, errfd = -1, listenfd = -1;
static int logfd = -1, gofd = -1, failfd = -1;
static long long logmax = 10 << 20, logsize;
static const char* dir;
static struct client clients[MAX_CLIENTS];

static void path_in_dir(char* out, size_t size, const char* name) { snprintf(out, size, "%s/%s", dir, name); }

static void open_log(int flags) {
  char path[4096];
  path_in_dir(path, sizeof path, "container.log");
  logfd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | flags, 0600);
  struct stat st;
  logsize = logfd >= 0 && fstat(logfd, &st) == 0 ? st.st_size : 0;
}

static void rotate_log(void) {
  char path[4096], old[4096];
  path_in_dir(path, sizeof path, "container.log");
  path_in_dir(old, sizeof old, "container.log.1");
  close(logfd);
  rename(path, old);
  open_log(O_TRUNC);
}

static void timestamp(char* out, size_t size) {
  struct timespec ts;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  size_t n = strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(out + n, size - n, ".%09ldZ", ts.tv_nsec);
}

static void write_all(int fd, const void* data, size_t n) {
  const char* p = data;
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return; /* the log is best effort: a full disk must not stop the container */
    p += w;
    n -= (size_t)w;
  }
}

/* One log line per line of output; a chunk's unterminated tail is written as a partial ('P') line. */
static void log_output(const char* stream, const char* data, size_t n) {
  if (logfd < 0) return;
  while (n > 0) {
    const char* nl = memchr(data, '\n', n);
    size_t len = nl ? (size_t)(nl - data) : n;
    char head[64];
    timestamp(head, sizeof head);
    size_t hn = strlen(head);
    hn += (size_t)snprintf(head + hn, sizeof head - hn, " %s %c ", stream, nl ? 'F' : 'P');
    if (logsize + (long long)(hn + len + 1) > logmax && logsize > 0) rotate_log();
    if (logfd < 0) return;
    write_all(logfd, head, hn);
    write_all(logfd, data, len);
    write_all(logfd, "\n", 1);
    logsize += (long long)(hn + len + 1);
    data += len + (nl ? 1 : 0);
    n -= len + (nl ? 1 : 0);
  }
}

static void drop_client(int i) {
  close(clients[i].fd);
  clients[i].fd = -1;
  clients[i].len = 0;
}

/* A client too slow to take a frame whole (its socket buffer is full) is dropped rather than blocking the
 * container's output: the log keeps everything, and `ctr attach` can reconnect. */
static void send_frame(int i, char type, const char* data, size_t n) {
  unsigned char head[5] = {(unsigned char)type, (unsigned char)(n >> 24), (unsigned char)(n >> 16),
                           (unsigned char)(n >> 8), (unsigned char)n};
  struct iovec iov[2] = {{head, 5}, {(void*)data, n}};
  struct msghdr msg = {.msg_iov = iov, .msg_iovlen = n > 0 ? 2 : 1};
  ssize_t w = sendmsg(clients[i].fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
  if (w != (ssize_t)(5 + n)) drop_client(i);
}

static void broadcast(char type, const char* data, size_t n) {
  for (int i = 0; i < MAX_CLIENTS; i++)
    if (clients[i].fd >= 0) send_frame(i, type, data, n);
}

/* Reads once from an output fd; returns 0 at end of file (EIO on a pty master whose slaves all closed). */
static int pump(int fd, const char* stream, char type) {
  char buf[16384];
  ssize_t n = read(fd, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return 1;
  if (n <= 0) return 0;
  log_output(stream, buf, (size_t)n);
  broadcast(type, buf, (size_t)n);
  return 1;
}

/* 's': the container waits for one byte on the go pipe; then its setup either fails (one record on the
 * failure pipe, see src/setup_failure.h) or execs (end of file: the pipe is CLOEXEC in the container). */
static void start_container(int i) {
  char record[4096 + 64];
  size_t got = 0;
  if (gofd >= 0) {
    write_all(gofd, "G", 1);
    close(gofd);
    gofd = -1;
    while (failfd >= 0 && got < sizeof record) {
      ssize_t n = read(failfd, record + got, sizeof record - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      got += (size_t)n;
    }
  }
  if (failfd >= 0) close(failfd);
  failfd = -1;
  send_frame(i, 'S', record, got);
}

static void client_input(int i) {
  struct client* c = &clients[i];
  ssize_t n = read(c->fd, c->buf + c->len, sizeof c->buf - c->len);
  if (n <= 0) {
    if (n < 0 && errno == EINTR) return;
    drop_client(i);
    return;
  }
  c->len += (size_t)n;
  while (c->len >= 5) {
    size_t len = ((size_t)c->buf[1] << 24) | ((size_t)c->buf[2] << 16) | ((size_t)c->buf[3] << 8) | c->buf[4];
    if (len > sizeof c->buf - 5) {
      drop_client(i);
      return;
    }
    if (c->len < 5 + len) break;
    unsigned char* p = c->buf + 5;
    if (c->buf[0] == 'i' && master >= 0) {
      write_all(master, p, len);
    } else if (c->buf[0] == 's') {
      start_container(i);
      if (clients[i].fd < 0) return;
    } else if (c->buf[0] == 'w' && master >= 0 && len == 4) {
      struct winsize ws = {.ws_row = (unsigned short)(p[0] << 8 | p[1]), .ws_col = (unsigned short)(p[2] << 8 | p[3])};
      ioctl(master, TIOCSWINSZ, &ws);
    }
    memmove(c->buf, c->buf + 5 + len, c->len - 5 - len);
    c->len -= 5 + len;
  }
}

static void accept_client(void) {
  int fd = accept4(listenfd, NULL, NULL, SOCK_CLOEXEC);
  if (fd < 0) return;
  for (int i = 0; i < MAX_CLIENTS; i++) {
    if (clients[i].fd < 0) {
      int size = 1 << 20;
      setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
      clients[i].fd = fd;
      clients[i].len = 0;
      return;
    }
  }
  close(fd);
}

static void open_attach_socket(void) {
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (snprintf(addr.sun_path, sizeof addr.sun_path, "%s/attach.sock", dir) >= (int)sizeof addr.sun_path) return;
  unlink(addr.sun_path);
  listenfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listenfd < 0) return;
  if (bind(listenfd, (struct sockaddr*)&addr, sizeof addr) < 0 || listen(listenfd, 8) < 0) {
    close(listenfd);
    listenfd = -1;
  }
}

/* Receives the pty master the container sends once it created its terminal (SCM_RIGHTS, one byte). */
static void receive_master(void) {
  char byte;
  char control[CMSG_SPACE(sizeof(int))];
  struct iovec iov = {&byte, 1};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control};
  ssize_t n = recvmsg(termsock, &msg, MSG_CMSG_CLOEXEC);
  if (n < 0 && errno == EINTR) return;
  struct cmsghdr* cmsg = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
  if (cmsg != NULL && cmsg->cmsg_type == SCM_RIGHTS) memcpy(&master, CMSG_DATA(cmsg), sizeof(int));
  close(termsock); /* one fd is all it carries; EOF means the container died before making its terminal */
  termsock = -1;
}

static void record_exit(const siginfo_t* info) {
  char path[4096], tmp[4096], when[64], text[256];
  path_in_dir(path, sizeof path, "exit.json");
  path_in_dir(tmp, sizeof tmp, "exit.json.tmp");
  timestamp(when, sizeof when);
  int exited = info->si_code == CLD_EXITED;
  int n;
  if (exited)
    n = snprintf(text, sizeof text, "{\"exitCode\":%d,\"signal\":null,\"finishedAt\":\"%s\"}\n", info->si_status, when);
  else
    n = snprintf(text, sizeof text, "{\"exitCode\":null,\"signal\":%d,\"finishedAt\":\"%s\"}\n", info->si_status, when);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return; /* the state directory is gone: the container was removed while it stopped */
  write_all(fd, text, (size_t)n);
  /* No fsync: the rename is what makes a reader see the whole record or none, and the state directory lives
   * in /run (tmpfs: a reboot takes it, with every container, anyway). On a disk it cost ~0.4 ms of every
   * container's end. */
  close(fd);
  rename(tmp, path);
}

/* After PID 1 is gone the kernel has killed the rest of its PID namespace, so every writer of the pipes or the
 * pty slave is exiting: read what they left, with a bound in case something outside still holds one open. */
static void drain(void) {
  for (int round = 0; round < 200 && (outfd >= 0 || errfd >= 0 || master >= 0); round++) {
    struct pollfd fds[3] = {{outfd, POLLIN, 0}, {errfd, POLLIN, 0}, {master, POLLIN, 0}};
    if (poll(fds, 3, 10) <= 0) continue;
    if (fds[0].revents && !pump(outfd, "stdout", 'o')) outfd = -1;
    if (fds[1].revents && !pump(errfd, "stderr", 'e')) errfd = -1;
    if (fds[2].revents && !pump(master, "stdout", 'o')) master = -1;
  }
}

static int arg_fd(const char* s) {
  char* end;
  long v = strtol(s, &end, 10);
  if (*end != '\0' || v < 0 || v > 65535) {
    fprintf(stderr, "ctr-shim: bad fd '%s'\n", s);
    exit(2);
  }
  return (int)v;
}

int main(int argc, char** argv) {
  int reportfd = -1;
  prctl(PR_SET_NAME, "ctr-shim", 0, 0, 0);
  for (int i = 1; i + 1 < argc; i += 2) {
    const char* v = argv[i + 1];
    if (strcmp(argv[i], "-p") == 0) pidfd = arg_fd(v);
    else if (strcmp(argv[i], "-r") == 0) reportfd = arg_fd(v);
    else if (strcmp(argv[i], "-d") == 0) dir = v;
    else if (strcmp(argv[i], "-w") == 0) watchfd = arg_fd(v);
    else if (strcmp(argv[i], "-t") == 0) termsock = arg_fd(v);
    else if (strcmp(argv[i], "-o") == 0) outfd = arg_fd(v);
    else if (strcmp(argv[i], "-e") == 0) errfd = arg_fd(v);
    else if (strcmp(argv[i], "-l") == 0) logmax = atoll(v);
    else if (strcmp(argv[i], "-g") == 0) gofd = arg_fd(v);
    else if (strcmp(argv[i], "-f") == 0) failfd = arg_fd(v);
  }
  if (pidfd < 0 || dir == NULL) {
    fputs("usage: ctr-shim -p PIDFD -r REPORTFD -d DIR [-w PIDFD] [-t SOCKFD | -o FD -e FD] [-g FD -f FD] [-l MAXBYTES]\n", stderr);
    return 2;
  }
  /* Own session: a Ctrl-C or hangup of the terminal ctr ran in must not reach the supervisor. The launcher
   * had every signal blocked across clone; unblock them, and ignore the ones a terminal or a dead attach
   * client would send. */
  setsid();
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGINT, SIG_IGN);
  signal(SIGQUIT, SIG_IGN);
  /* ctr's stdio must not stay open here: a `ctr run -d` in a pipeline would never see end of file. */
  int null = open("/dev/null", O_RDWR);
  if (null >= 0) {
    for (int fd = 0; fd < 3; fd++) dup2(null, fd);
    if (null > 2) close(null);
  }
  for (int i = 0; i < MAX_CLIENTS; i++) clients[i].fd = -1;
  if (outfd >= 0 || errfd >= 0 || termsock >= 0) {
    open_log(0);
    open_attach_socket();
  }
  if (reportfd >= 0) {
    write_all(reportfd, "R", 1);
    close(reportfd);
  }

  siginfo_t info;
  for (;;) {
    struct pollfd fds[7 + MAX_CLIENTS];
    int n = 0;
    fds[n++] = (struct pollfd){pidfd, POLLIN, 0};
    fds[n++] = (struct pollfd){watchfd, POLLIN, 0};
    fds[n++] = (struct pollfd){termsock, POLLIN, 0};
    fds[n++] = (struct pollfd){master, POLLIN, 0};
    fds[n++] = (struct pollfd){outfd, POLLIN, 0};
    fds[n++] = (struct pollfd){errfd, POLLIN, 0};
    fds[n++] = (struct pollfd){listenfd, POLLIN, 0};
    for (int i = 0; i < MAX_CLIENTS; i++) fds[n++] = (struct pollfd){clients[i].fd, POLLIN, 0};
    if (poll(fds, (nfds_t)n, -1) < 0) continue; /* EINTR */
    if (fds[0].revents) {
      memset(&info, 0, sizeof info);
      if (waitid(P_PIDFD, (id_t)pidfd, &info, WEXITED | WNOHANG) == 0 && info.si_pid != 0) break;
    }
    if (fds[1].revents) {
      /* The foreground ctr is gone: the container goes with it (its exit is still recorded below). */
      syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
      close(watchfd);
      watchfd = -1;
    }
    if (fds[2].revents) receive_master();
    if (fds[3].revents && !pump(master, "stdout", 'o')) {
      close(master);
      master = -1;
    }
    if (fds[4].revents && !pump(outfd, "stdout", 'o')) {
      close(outfd);
      outfd = -1;
    }
    if (fds[5].revents && !pump(errfd, "stderr", 'e')) {
      close(errfd);
      errfd = -1;
    }
    if (fds[6].revents) accept_client();
    for (int i = 0; i < MAX_CLIENTS; i++)
      if (fds[7 + i].revents && clients[i].fd >= 0) client_input(i);
  }
  drain();
  record_exit(&info);
  broadcast('x', NULL, 0);
  if (listenfd >= 0) {
    char path[4096];
    path_in_dir(path, sizeof path, "attach.sock");
    unlink(path);
  }
  return 0;
}
