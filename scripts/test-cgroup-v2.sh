#!/usr/bin/env bash
# test-cgroup-v2.sh — the cgroup v2 proofs on a real v2-only kernel. This machine and CI are cgroup v1 hybrid,
# so ONE call of scripts/v2-guest.sh (this repository's own harness) boots a throwaway qemu guest (cgroup_no_v1=all) that sees
# this checkout, and runs in it first @ctr/cgroups' v2 integration tests, then `ctr run`'s v2 proofs
# (packages/cli/test/v2). Both suites always run; the exit status is non-zero when either failed, when the
# guest failed (125) or timed out (124). Needs root and a built checkout (`pnpm build`, the default rootfs).
# Knobs: V2G_* of v2-guest.sh (V2G_ACCEL=auto: KVM only where /dev/kvm is usable and the CPU has vmx/svm).
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
guest=$repo/scripts/v2-guest.sh

missing=()
for f in packages/cgroups/dist/index.js packages/cli/dist/ctr.cjs packages/ns-native/prebuilds \
  packages/demo-apps/build/threads-cpu rootfs/default/bin node_modules/vitest/vitest.mjs; do
  [ -e "$f" ] || missing+=("$f")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test-cgroup-v2: not built: ${missing[*]} (run pnpm build and ctr rootfs build first)" >&2
  exit 1
fi

# Inside the guest: node and vitest directly (npm/pnpm cost ~10 s each there); CI=true turns a skipped suite
# into a failure, so a guest that is not v2 (or not root) cannot pass silently.
# The guest's / is an overlay (a tmpfs over the host's read-only root), and overlayfs refuses an overlay as the
# upper layer of another: the containers' writable layers go to the guest's /run tmpfs instead.
inner='
export CTR_DATA_DIR=/run/ctr-data
vitest="$1/node_modules/vitest/vitest.mjs"
status=0
for pkg in cgroups cli; do
  echo "=== $pkg: cgroup v2 tests" >&2
  cd "$1/packages/$pkg" && CI=true node "$vitest" run --config vitest.v2.config.ts || status=1
done
exit $status
'
start=$(date +%s)
"$guest" bash -c "$inner" guest "$repo"
rc=$?
echo "test-cgroup-v2: exit status $rc after $(( $(date +%s) - start )) s" >&2
case $rc in
  0) ;;
  124) echo "test-cgroup-v2: the guest timed out" >&2 ;;
  125) echo "test-cgroup-v2: the guest failed" >&2 ;;
  *) echo "test-cgroup-v2: a v2 suite failed" >&2 ;;
esac
exit $rc
