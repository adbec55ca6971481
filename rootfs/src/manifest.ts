// manifest.ts — what the default rootfs holds, and why: enough for the seed assignment's demo (bash,
// ps, hostname, ip, the server and the CPU hog) plus the everyday tools a shell user reaches for.
// Programs are taken from this host's /usr/bin and /usr/sbin with their shared libraries.

/** Must exist on the host: the container's shell session is useless without them. */
export const REQUIRED_PROGRAMS = [
  'bash',
  // coreutils
  ...['ls', 'cat', 'echo', 'mkdir', 'rmdir', 'rm', 'cp', 'mv', 'ln', 'touch', 'sleep', 'env', 'id', 'whoami', 'uname'],
  ...['head', 'tail', 'wc', 'sort', 'uniq', 'tr', 'cut', 'date', 'true', 'false', 'pwd', 'dirname', 'basename'],
  ...['chmod', 'chown', 'stat', 'df', 'du', 'test', '[', 'printf', 'seq', 'tee', 'yes', 'nproc', 'stty', 'tty'],
  ...['readlink', 'realpath', 'mktemp', 'mknod'],
  // procps: ps must list the container's PID namespace once /proc is mounted there
  ...['ps', 'top', 'free', 'kill', 'pgrep', 'pkill', 'uptime'],
  // hostname shows the UTS namespace, ip the network namespace
  ...['hostname', 'ip', 'mount', 'umount', 'grep', 'sed'],
];

/** Taken when the host has them. `sh` falls back to a link to bash. */
export const OPTIONAL_PROGRAMS = ['sh', 'awk', 'less', 'more', 'find', 'xargs', 'which', 'clear', 'tput'];

/** Where host programs are looked up, in order. /usr/local is left out: it is not the distribution's. */
export const PROGRAM_DIRS = ['/usr/bin', '/usr/sbin', '/bin', '/sbin'];

/** Terminal descriptions for ncurses (top, less, bash's readline), for the TERM values terminals send. */
export const TERMINALS = ['xterm', 'xterm-256color', 'screen', 'screen-256color', 'tmux', 'tmux-256color', 'linux', 'vt100', 'vt220', 'dumb'];

/** ncurses' compiled-in terminfo search path on Debian, in order. */
export const TERMINFO_DIRS = ['/etc/terminfo', '/lib/terminfo', '/usr/share/terminfo'];

/**
 * Top-level directories that Debian's merged /usr turns into symlinks (bin → usr/bin). They are
 * mirrored from the host so that host paths copied by their real location resolve the same in the tree.
 */
export const MERGED_USR_LINKS = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];
