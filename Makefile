# The two quick-start commands (README): `make shell` and `make test`. Run as root on Debian 12 with Node 20.
# Everything else is pnpm + turbo; this file only chains the steps so a fresh machine needs nothing by hand.
PNPM_VERSION := 12.4.2
export TURBO_TELEMETRY_DISABLED := 1

.PHONY: setup build rootfs shell test

setup:
	@command -v pnpm >/dev/null 2>&1 && [ "$$(pnpm -v)" = "$(PNPM_VERSION)" ] || npm install -g pnpm@$(PNPM_VERSION)
	pnpm install --frozen-lockfile

build: setup
	pnpm build

rootfs: build
	pnpm ctr rootfs build

# Opens a shell in a container on the default rootfs, with its own hostname and IP.
shell: rootfs
	pnpm ctr run --hostname mycontainer rootfs/default

# Installs, builds and runs every package's tests (integration and end-to-end tests need root), then the
# cgroup v2 proofs in a throwaway qemu guest on a v2-only kernel (scripts/v2-guest.sh; a few minutes).
test: rootfs
	pnpm test
	pnpm test:v2
