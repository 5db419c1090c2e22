#!/bin/sh
# Build the Debian base image every Arena service image starts from, with no image registry:
# debootstrap a minimal Debian bookworm from the mirror this host's apt uses, then `docker import` it.
#   sudo deploy/build-base-image.sh [TAG] [MIRROR]
# TAG defaults to arena-debian:bookworm (the BASE_IMAGE the images in deploy/images/ build FROM).
# Needs root, the docker CLI and the debootstrap package (apt-get install debootstrap).
set -eu

TAG="${1:-arena-debian:bookworm}"
MIRROR="${2:-}"
if [ -z "$MIRROR" ]; then
    # The first Debian mirror apt already uses on this host (deb822 sources or the classic list), comments left out.
    MIRROR="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
        | sed 's/#.*//' | grep -oE 'https?://[^ ]+/debian/?( |$)' | head -n 1 | tr -d ' ' || true)"
fi
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
ROOT="$(mktemp -d /tmp/arena-base-XXXXXX)"
trap 'rm -rf "$ROOT"' EXIT

debootstrap --variant=minbase --components=main --include=ca-certificates bookworm "$ROOT/rootfs" "$MIRROR"
# The images install their packages from the same mirror.
printf 'deb %s bookworm main\n' "$MIRROR" > "$ROOT/rootfs/etc/apt/sources.list"
rm -rf "$ROOT/rootfs/var/cache/apt/archives/"*.deb "$ROOT/rootfs/var/lib/apt/lists/"*
tar --numeric-owner --xattrs -C "$ROOT/rootfs" -cf - . \
    | docker import --change 'ENV LANG=C.UTF-8' --change 'CMD ["/bin/sh"]' - "$TAG"
echo "built $TAG"
