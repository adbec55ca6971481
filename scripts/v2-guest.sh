#!/usr/bin/env bash
# This is the project's own copy (scripts/v2-guest.sh): `pnpm test:v2` and `make test` use it, so a plain clone
# needs nothing outside the repository.
# v2-guest.sh — run one command inside a throwaway qemu guest (software emulation, no KVM
# needed) booted on Debian's own kernel with cgroup v2 ONLY (cgroup_no_v1=all), using this
# host's / as the guest's root, shared read-only over 9p.  Prints the command's stdout and
# stderr live (as pipes, never a tty), then one summary line on stderr, and exits with the
# command's exit status (124 = timed out, 125 = the guest itself failed).
#
#   v2-guest.sh node -e 'console.log(1)'          # argv form, run with `exec` in the guest
#   v2-guest.sh bash -c 'cd /repo && node --test'   # a shell line (avoid npm/npx: ~10 s each)
#   v2-guest.sh --selftest                          # cgroup v2 / namespaces / veth probe
#   v2-guest.sh --purge                             # delete the cached kernel + initramfs
#
# Costs (2-core host, TCG): ~6-9 s boot+shutdown per call, then ~10-25x slower than the host
# (node -e 0 ~1-2 s, fork+exec ~50-90 ms, serial output ~150 KB/s). Batch tests in one call.
# Inside the guest: kernel 6.1 (Debian bookworm linux-image-amd64), PID 1 is a small bash
# init, cgroup2 is mounted on /sys/fs/cgroup (nsdelegate,memory_recursiveprot) with the
# controllers cpuset cpu io memory hugetlb pids rdma misc; the command runs in the ROOT
# cgroup as root, in the caller's working directory, with the caller's exported environment;
# lo is up; veth is preloaded; stdin is /dev/null.
# Root modes (V2G_ROOT):
#   overlay (default)  host / read-only underneath, overlaid with a guest tmpfs: every path
#                      is writable in the guest, nothing ever reaches the host. /tmp shows the
#                      host's /tmp (so a checkout under /tmp is visible) plus guest writes.
#                      Kernel module autoloading works (busybox modprobe, pruned module tree).
#   ro                 host / read-only as is; fresh empty tmpfs on /tmp, /var/tmp, /run.
# Environment knobs: V2G_DIR (/tmp/v2guest) V2G_MEM (2048M) V2G_SMP (nproc, max 4)
#   V2G_TIMEOUT (1800 s, whole guest) V2G_ROOT (overlay|ro) V2G_MODULES ("veth", comma or
#   space separated, loaded before the command) V2G_APPEND (extra kernel args)
#   V2G_VERBOSE=1 (kernel console to stderr, live) V2G_KEEP_CACHE=0 (delete cache at exit)
#   V2G_RW_DIR=/abs/host/dir (shared READ-WRITE at the same path: test reports, artifacts)
#   V2G_KERNEL_DEB=/path/to/linux-image-*.deb (use this kernel instead of apt's)
#   V2G_ACCEL (auto: KVM when /dev/kvm is usable, else TCG software emulation | kvm | tcg)
# Needs: root, apt-get (installs qemu-system-x86 if missing; downloads — does not install —
# the kernel and busybox-static .debs into $V2G_DIR/cache). Leaves no process, mount or job
# directory behind; only $V2G_DIR/cache (~100 MB) is kept for the next run.
set -uo pipefail

V2G_DIR=${V2G_DIR:-/tmp/v2guest}
V2G_MEM=${V2G_MEM:-2048M}
_n=$(nproc 2>/dev/null || echo 2); [ "$_n" -gt 4 ] && _n=4
V2G_SMP=${V2G_SMP:-$_n}
V2G_TIMEOUT=${V2G_TIMEOUT:-1800}
V2G_ROOT=${V2G_ROOT:-overlay}
V2G_MODULES=${V2G_MODULES:-veth}
V2G_APPEND=${V2G_APPEND:-}
V2G_VERBOSE=${V2G_VERBOSE:-0}
V2G_RW_DIR=${V2G_RW_DIR:-}
V2G_ACCEL=${V2G_ACCEL:-auto}
V2G_KEEP_CACHE=${V2G_KEEP_CACHE:-1}
CACHE_FORMAT=4                     # bump when the initramfs layout below changes
CACHE=$V2G_DIR/cache

say() { echo "v2-guest: $*" >&2; }
die() { say "$*"; exit 125; }
now() { date +%s.%N; }
T_START=$(now)

[ "$(id -u)" = 0 ] || die "must run as root"
[ $# -gt 0 ] && [ "$1" != -h ] && [ "$1" != --help ] || { sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
case "$V2G_ROOT" in overlay|ro) ;; *) die "V2G_ROOT must be overlay or ro";; esac
mkdir -p "$V2G_DIR" || die "cannot create $V2G_DIR"
case "$V2G_DIR$V2G_RW_DIR" in *,*) die "V2G_DIR / V2G_RW_DIR must not contain a comma (qemu option syntax)";; esac
[ -z "$V2G_RW_DIR" ] || { case "$V2G_RW_DIR" in /*) ;; *) die "V2G_RW_DIR must be absolute";; esac
  [ -d "$V2G_RW_DIR" ] || die "V2G_RW_DIR $V2G_RW_DIR is not a directory"; }

if [ "$1" = --purge ]; then
  exec 9>"$V2G_DIR/cache.lock"; flock -w 60 9 || die "cache in use"
  rm -rf "$CACHE"; say "cache removed"; exit 0
fi

# ---------------------------------------------------------------- host packages + cache
apt_updated=0
apt_update() { [ $apt_updated = 1 ] && return 0; apt_updated=1
  say "apt-get update"; apt-get update -qq >/dev/null 2>&1 || say "apt-get update failed"; }

ensure_qemu() {
  command -v qemu-system-x86_64 >/dev/null && return 0
  say "installing qemu-system-x86 (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends qemu-system-x86 >/dev/null 2>&1 \
    || { apt_update; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends qemu-system-x86 >/dev/null 2>&1; } \
    || die "could not install qemu-system-x86"
}

apt_download() {  # apt_download PKG -> a .deb in $PWD
  apt-get download -qq -o APT::Sandbox::User=root "$1" >/dev/null 2>&1 && return 0
  apt_update; apt-get download -qq -o APT::Sandbox::User=root "$1" >/dev/null 2>&1
}

# The initramfs /init: load virtio + 9p, mount the host root (ro) [+ overlay], the job share
# and the module tree, preload modules, then switch_root to the job's guest-init.sh.
write_initramfs_init() { cat > "$1" <<'EOF'
#!/bin/busybox sh
/bin/busybox mkdir -p /sbin /usr/bin /usr/sbin /proc /sys /dev /newroot /lower /upper /job
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev
fail() { echo "v2guest-initramfs: FAILED: $*"; sleep 1; poweroff -f; }
for m in $(cat /mods.order); do insmod /mods/$m.ko || fail "insmod $m"; done
O=trans=virtio,version=9p2000.L,msize=512000
KV=$(uname -r)
mount -t 9p -o $O,cache=none job /job || fail "mount job share"
mkdir -p /lib/modules/$KV
mount -t 9p -o $O,ro,cache=loose mods /lib/modules/$KV || fail "mount module share"
for m in $(echo "${v2g_modules:-}" | tr , ' '); do modprobe $m || echo "v2guest-initramfs: modprobe $m failed" >> /job/warnings; done
if [ "${v2g_root:-overlay}" = ro ]; then
  mount -t 9p -o $O,ro,cache=loose root /newroot || fail "mount root share"
  mount -t tmpfs -o mode=1777 tmpfs /newroot/tmp
  mount -t tmpfs -o mode=1777 tmpfs /newroot/var/tmp
else
  mount -t 9p -o $O,ro,cache=loose root /lower || fail "mount root share"
  mount -t tmpfs -o mode=755 tmpfs /upper && mkdir /upper/u /upper/w
  mount -t overlay -o lowerdir=/lower,upperdir=/upper/u,workdir=/upper/w overlay /newroot || fail "overlay"
fi
mount -t tmpfs -o mode=755 tmpfs /newroot/run
mkdir -p /newroot/run/v2job /newroot/run/v2guest/bin
mount --move /job /newroot/run/v2job
cp /bin/busybox /newroot/run/v2guest/bin/
for a in modprobe insmod rmmod lsmod modinfo poweroff; do ln -s busybox /newroot/run/v2guest/bin/$a; done
if [ "${v2g_root:-overlay}" = ro ]; then umount /lib/modules/$KV
else mkdir -p /newroot/lib/modules/$KV && mount --move /lib/modules/$KV /newroot/lib/modules/$KV; fi
umount /proc /sys
mount --move /dev /newroot/dev || fail "move /dev"
mount -t proc proc /newroot/proc; mount -t sysfs sysfs /newroot/sys
exec switch_root /newroot /bin/bash /run/v2job/guest-init.sh
EOF
chmod 755 "$1"; }

build_cache() {
  local tmp kdeb bdeb kver k m
  tmp=$(mktemp -d "$V2G_DIR/build.XXXXXX") || die "mktemp"
  ( set -e; cd "$tmp"
    if [ -n "${V2G_KERNEL_DEB:-}" ]; then kdeb=$(realpath "$OLDPWD/$V2G_KERNEL_DEB" 2>/dev/null || realpath "$V2G_KERNEL_DEB")
    else
      apt-cache show linux-image-amd64 >/dev/null 2>&1 || apt_update
      k=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
      [ -n "$k" ] || { apt_update; k=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}'); }
      [ -n "$k" ] || { echo "no linux-image-amd64 in apt"; exit 1; }
      say "downloading $k and busybox-static (apt-get download; nothing is installed)"
      apt_download "$k" || { echo "apt-get download $k failed"; exit 1; }
      kdeb=$(ls "$tmp"/linux-image-*.deb)
    fi
    apt_download busybox-static || { echo "apt-get download busybox-static failed"; exit 1; }
    bdeb=$(ls "$tmp"/busybox-static_*.deb)
    mkdir k b out out/initrd out/initrd/bin out/initrd/mods out/mr out/mr/lib out/mr/lib/modules
    dpkg-deb -x "$kdeb" k; dpkg-deb -x "$bdeb" b
    kver=$(ls k/lib/modules | head -1)
    cp k/boot/vmlinuz-"$kver" out/vmlinuz
    # Uncompressed ELF vmlinux: qemu boots it through its PVH entry, skipping the in-guest
    # xz decompression (~2 s under TCG). Falls back to the bzImage if this fails.
    off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' out/vmlinuz | head -1 | cut -d: -f1)
    if [ -n "$off" ] && command -v xz >/dev/null; then
      tail -c +$((off+1)) out/vmlinuz | xz -dcq > out/vmlinux 2>/dev/null || true  # trailing bytes: xz exits 1
      [ "$(head -c4 out/vmlinux | od -An -c | tr -d ' ')" = '177ELF' ] || rm -f out/vmlinux
    fi
    cp b/bin/busybox out/initrd/bin/busybox
    # keep only the module families a test VM can use (~95 MB instead of ~400 MB)
    mv k/lib/modules/"$kver" out/mr/lib/modules/; rm -rf k
    M=out/mr/lib/modules/$kver
    rm -rf $M/kernel/sound
    ( cd $M/kernel/drivers && ls | { grep -vxE 'net|virtio|char|block|md|vhost|nvdimm|dax' || true; } | xargs -r rm -rf
      rm -rf net/wireless net/ethernet net/usb net/can net/wwan net/ieee802154 net/wan net/hamradio )
    b/bin/busybox depmod -b "$tmp/out/mr" "$kver"
    mv $M out/modules; rm -rf out/mr
    [ -s out/modules/modules.dep ] || { echo "depmod produced nothing"; exit 1; }
    # modules the initramfs needs before it can reach the shares
    order="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci 9pnet 9pnet_virtio netfs fscache 9p overlay virtio-rng"
    for m in $order; do
      f=$(find out/modules/kernel -name "$m.ko*" | head -1); [ -n "$f" ] || { echo "module $m missing"; exit 1; }
      case "$f" in *.ko.xz) xz -dc "$f" > out/initrd/mods/$m.ko;; *.ko.zst) zstd -dqc "$f" > out/initrd/mods/$m.ko;; *) cp "$f" out/initrd/mods/$m.ko;; esac
    done
    echo "$order" > out/initrd/mods.order
    write_initramfs_init out/initrd/init
    ( cd out/initrd && find . | ../../b/bin/busybox cpio -o -H newc 2>/dev/null | gzip -1 > ../initrd.img )
    rm -rf out/initrd
    echo "$kver" > out/kver; echo $CACHE_FORMAT > out/format
  ) >&2
  [ $? = 0 ] && [ -s "$tmp/out/initrd.img" ] || { rm -rf "$tmp"; die "building the guest kernel/initramfs failed"; }
  rm -rf "$CACHE"; mv "$tmp/out" "$CACHE"; rm -rf "$tmp"
}

# ---------------------------------------------------------------- selftest payload
SELFTEST='
set -u; fails=0; passes=0
ok()   { echo "ok   - $*"; passes=$((passes+1)); }
bad()  { echo "FAIL - $*"; fails=$((fails+1)); }
chk()  { local d=$1; shift; if "$@" >/dev/null 2>&1; then ok "$d"; else bad "$d"; fi; }
el()   { awk -v a="$1" -v b="$2" "BEGIN{printf \"%.2f\", b-a}"; }
up()   { cut -d" " -f1 /proc/uptime; }
echo "kernel $(uname -r); $(nproc) cpus; guest uptime $(up)s; cwd $PWD"
grep -E "cgroup| / " /proc/mounts
c=$(cat /sys/fs/cgroup/cgroup.controllers); echo "controllers: $c"
for x in cpu memory pids io cpuset; do case " $c " in *" $x "*) ok "controller $x";; *) bad "controller $x";; esac; done
chk "no cgroup v1 hierarchy can be mounted" sh -c "mkdir -p /run/v1 && ! mount -t cgroup -o cpu cgroup /run/v1"
echo "+cpu +memory +pids +io" > /sys/fs/cgroup/cgroup.subtree_control && ok "root subtree_control: $(cat /sys/fs/cgroup/cgroup.subtree_control)" || bad subtree_control
G=/sys/fs/cgroup/v2test; mkdir $G
echo "50000 100000" > $G/cpu.max; echo 64M > $G/memory.max; echo 16 > $G/pids.max
echo "cpu.max=$(cat $G/cpu.max) memory.max=$(cat $G/memory.max) pids.max=$(cat $G/pids.max)"
sh -c "echo \$\$ > $G/cgroup.procs; exec timeout 3 sh -c \"while :; do :; done\""
u=$(awk "/^usage_usec/{print \$2}" $G/cpu.stat)
echo "3 s busy loop under cpu.max 50000/100000: $(grep -E "usage_usec|nr_throttled|throttled_usec" $G/cpu.stat | tr "\n" " ")"
[ "$u" -gt 300000 ] && [ "$u" -lt 2200000 ] && ok "cpu.max throttles (usage ${u}us of 3000000us wall)" || bad "cpu.max (usage ${u}us)"
G2=/sys/fs/cgroup/v2pids; mkdir $G2; echo 5 > $G2/pids.max
sh -c "echo \$\$ > $G2/cgroup.procs; for i in 1 2 3 4 5 6 7 8; do sleep 1 & done; wait" >/dev/null 2>&1
ev=$(awk "/^max /{print \$2}" $G2/pids.events); [ "${ev:-0}" -gt 0 ] && ok "pids.max enforced (pids.events max=$ev)" || bad "pids.max (events max=$ev)"
G3=/sys/fs/cgroup/v2mem; mkdir $G3; echo 96M > $G3/memory.max
( sh -c "echo \$\$ > $G3/cgroup.procs; exec node -e \"const a=[]; for(;;) a.push(Buffer.alloc(1<<20, 1))\""; exit $? ) >/dev/null 2>&1; r=$?
oom=$(awk "/^oom_kill /{print \$2}" $G3/memory.events); [ "${oom:-0}" -gt 0 ] && ok "memory.max OOM-kills node (rc=$r, oom_kill=$oom)" || bad "memory.max (rc=$r oom_kill=$oom)"
chk "cgroup.kill + cgroup.freeze present" test -e $G/cgroup.kill -a -e $G/cgroup.freeze
chk "unshare --pid --fork --mount-proc gives pid 1" sh -c "[ \"\$(unshare --pid --fork --mount-proc sh -c \"echo \\\$\\\$\")\" = 1 ]"
chk "unshare user+net+pid+mount+uts+ipc (-Ur -npfmui)" unshare -Ur -n -p -f -m -u -i --mount-proc true
chk "unshare --cgroup shows 0::/" unshare -C -f sh -c "grep -qx \"0::/\" /proc/self/cgroup"
chk "ip netns add" ip netns add v2ns
chk "veth pair, one end moved into the netns" sh -c "ip link add v2a type veth peer name v2b && ip link set v2b netns v2ns && ip addr add 10.213.0.1/30 dev v2a && ip link set v2a up && ip -n v2ns addr add 10.213.0.2/30 dev v2b && ip -n v2ns link set v2b up && ip -n v2ns link set lo up"
ip netns exec v2ns node -e "require(\"net\").createServer(s=>s.end(\"pong\\n\")).listen(7777,\"10.213.0.2\")" & sp=$!
r=; for i in $(seq 40); do r=$(timeout 2 bash -c "exec 3<>/dev/tcp/10.213.0.2/7777 && cat <&3" 2>/dev/null) && [ -n "$r" ] && break; sleep 0.25; done; kill $sp 2>/dev/null
[ "$r" = pong ] && ok "TCP over veth into the netns (node server)" || bad "TCP over veth (got: $r)"
if [ -d /lib/modules/$(uname -r) ]; then chk "module autoload (ip link add type bridge)" ip link add v2br type bridge; fi
T0=$(up); node -e 0; T1=$(up); node -e 0; T2=$(up)
echo "node -e 0 in the guest: first $(el $T0 $T1)s, second $(el $T1 $T2)s"
node -e "console.log(\"node\", process.version, \"reads cgroup.controllers:\", require(\"fs\").readFileSync(\"/sys/fs/cgroup/cgroup.controllers\",\"utf8\").trim())"
echo "selftest: $passes passed, $fails failed"; exit $fails
'

# ---------------------------------------------------------------- run
if [ "$1" = --selftest ]; then set -- bash -c "$SELFTEST"; fi

ensure_qemu
exec 9>"$V2G_DIR/cache.lock"; flock 9
if [ "$(cat "$CACHE/format" 2>/dev/null)" != "$CACHE_FORMAT" ] || [ ! -s "$CACHE/initrd.img" ]; then build_cache; fi
flock -u 9; flock -s 9        # shared lock while we use the cache (a --purge/rebuild waits)
T_READY=$(now)

JOB=$(mktemp -d "$V2G_DIR/job.XXXXXX") || die "mktemp"
QPID=; C1=; C2=; C3=
cleanup() {
  [ -n "$QPID" ] && kill "$QPID" 2>/dev/null
  for p in $C1 $C2 $C3; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$JOB"
  if [ "$V2G_KEEP_CACHE" = 0 ]; then flock -u 9; flock -x -w 5 9 && rm -rf "$CACHE"; fi
}
trap cleanup EXIT
trap 'exit 130' INT; trap 'exit 143' TERM

{ printf 'exec'; printf ' %q' "$@"; printf '\n'; } > "$JOB/cmd.sh"
export -p | grep -vE '^declare -[a-zA-Z-]* (PWD|OLDPWD|SHLVL|_|HOSTNAME|BASHOPTS|SHELLOPTS|BASH_[A-Z_]*|V2G_[A-Z_]*)(=|$)' > "$JOB/env.sh"
printf '%s\n' "$PWD" > "$JOB/cwd"
cat > "$JOB/guest-init.sh" <<'EOF'
#!/bin/bash
# PID 1 in the guest (after switch_root). Its own stdio is the kernel console (ttyS2).
J=/run/v2job; B=/run/v2guest
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
up() { cut -d' ' -f1 /proc/uptime; }
mount -t cgroup2 -o nsdelegate,memory_recursiveprot cgroup2 /sys/fs/cgroup || echo "guest: cgroup2 mount failed"
mkdir -p /dev/pts /dev/shm /dev/mqueue
mount -t devpts -o newinstance,ptmxmode=0666,mode=620,gid=5 devpts /dev/pts; ln -sf pts/ptmx /dev/ptmx 2>/dev/null
mount -t tmpfs -o mode=1777 tmpfs /dev/shm; mount -t mqueue mqueue /dev/mqueue 2>/dev/null
ln -sf /proc/self/fd /dev/fd 2>/dev/null; ln -sf /proc/self/fd/0 /dev/stdin; ln -sf /proc/self/fd/1 /dev/stdout; ln -sf /proc/self/fd/2 /dev/stderr
[ -s $J/rwdir ] && { mkdir -p "$(cat $J/rwdir)" 2>/dev/null; mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=none rwdir "$(cat $J/rwdir)" || echo "guest: V2G_RW_DIR mount failed" > $J/warnings; }
[ -d /lib/modules/$(uname -r) ] && echo $B/bin/modprobe > /proc/sys/kernel/modprobe
hostname v2guest 2>/dev/null || echo v2guest > /proc/sys/kernel/hostname
ip link set lo up 2>/dev/null
export HOME=/root
set -a; . $J/env.sh; set +a
export PATH="$PATH:$B/bin"
cd "$(cat $J/cwd)" 2>/dev/null || cd /
mkfifo $B/o $B/e
stty -F /dev/ttyS0 raw -echo 2>/dev/null; stty -F /dev/ttyS1 raw -echo 2>/dev/null
cat $B/o > /dev/ttyS0 & c1=$!
cat $B/e > /dev/ttyS1 & c2=$!
t0=$(up)
bash $J/cmd.sh < /dev/null > $B/o 2> $B/e
rc=$?
t1=$(up)
echo "$rc" > $J/rc
for i in $(seq 50); do kill -0 $c1 2>/dev/null || kill -0 $c2 2>/dev/null || break; sleep 0.2; done
echo "$t0 $t1" > $J/times
sync
$B/bin/busybox poweroff -f
EOF

mkfifo "$JOB/out.fifo" "$JOB/err.fifo"
: > "$JOB/console.log"
cat "$JOB/out.fifo" & C1=$!
cat "$JOB/err.fifo" >&2 & C2=$!
[ "$V2G_VERBOSE" = 1 ] && { tail -n +1 -f "$JOB/console.log" >&2 & C3=$!; }
loglevel="quiet loglevel=3"; [ "$V2G_VERBOSE" = 1 ] && loglevel="loglevel=7"
KERNEL=$CACHE/vmlinux; [ -s "$KERNEL" ] || KERNEL=$CACHE/vmlinuz
# auto: KVM only where /dev/kvm is writable and the CPU shows vmx/svm (a /dev/kvm without them, as in some
# nested VMs, hangs or aborts qemu); a KVM start that fails anyway is retried once under TCG below.
if [ "$V2G_ACCEL" = kvm ] || { [ "$V2G_ACCEL" = auto ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; }; then ACCEL="-accel kvm -cpu host"
else ACCEL="-accel tcg,thread=multi -cpu max"; fi
rwdev=(); if [ -n "$V2G_RW_DIR" ]; then
  rwdev=(-virtfs "local,path=$V2G_RW_DIR,mount_tag=rwdir,security_model=none")
  printf '%s\n' "$V2G_RW_DIR" > "$JOB/rwdir"; fi
mods=$(echo "$V2G_MODULES" | tr ' ' , | sed 's/^,*//; s/,*$//; s/,,*/,/g')

timeout -k 10 "$V2G_TIMEOUT" qemu-system-x86_64 -nodefaults -no-user-config -display none -no-reboot \
  -machine q35 $ACCEL -smp "$V2G_SMP" -m "$V2G_MEM" \
  -kernel "$KERNEL" -initrd "$CACHE/initrd.img" \
  -append "console=ttyS2 $loglevel panic=-1 mitigations=off cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1 v2g_root=$V2G_ROOT v2g_modules=$mods $V2G_APPEND" \
  -serial "file:$JOB/out.fifo" -serial "file:$JOB/err.fifo" -serial "file:$JOB/console.log" \
  -virtfs local,path=/,mount_tag=root,security_model=none,readonly=on,multidevs=remap \
  -virtfs "local,path=$CACHE/modules,mount_tag=mods,security_model=none,readonly=on" \
  -virtfs "local,path=$JOB,mount_tag=job,security_model=none" \
  "${rwdev[@]}" -device virtio-rng-pci </dev/null 2>"$JOB/qemu.err" &
QPID=$!
wait $QPID; qrc=$?; QPID=
for i in $(seq 25); do kill -0 $C1 2>/dev/null || kill -0 $C2 2>/dev/null || break; sleep 0.2; done
T_END=$(now)

[ -s "$JOB/warnings" ] && sed 's/^/v2-guest: /' "$JOB/warnings" >&2
if [ -s "$JOB/rc" ]; then
  rc=$(cat "$JOB/rc"); read -r g0 g1 < "$JOB/times" 2>/dev/null || { g0=?; g1=?; }
  say "exit status $rc ($(awk -v a="$T_START" -v r="$T_READY" -v e="$T_END" -v g0="$g0" -v g1="$g1" 'BEGIN{printf "wall %.1fs: setup %.1fs, command %.1fs, boot+shutdown %.1fs; guest uptime at command start %.1fs", e-a, r-a, g1-g0, (e-r)-(g1-g0), g0}'))"
  exit "$rc"
fi
if [ $qrc = 124 ] || [ $qrc = 137 ]; then say "TIMED OUT after ${V2G_TIMEOUT}s (V2G_TIMEOUT); kernel console tail:"; rc=124
else say "guest failed (qemu exit $qrc); qemu stderr + kernel console tail:"; rc=125; cat "$JOB/qemu.err" >&2; fi
tail -n 40 "$JOB/console.log" >&2
exit $rc
