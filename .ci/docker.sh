#!/usr/bin/env bash
# A real Docker engine on a machine that only has the docker client, and a local base image since
# no container registry is reachable.
#
#   bash .ci/docker.sh up           # install docker.io + debootstrap if missing, start dockerd,
#                                   # print `export DOCKER_HOST=unix://...`
#   bash .ci/docker.sh base-image   # build mlops-gitops/python-base:bookworm with debootstrap
#                                   # (skipped when the image exists)
#   bash .ci/docker.sh down         # stop the dockerd started by `up`
#
# Typical use:  eval "$(bash .ci/docker.sh up)" && bash .ci/docker.sh base-image
#
# Environment:
#   MLOPS_DOCKER_WORK   work folder for the daemon's data root, socket, pid and log
#                       (default: $PWD/.ci-work/docker)
#   MLOPS_BASE_IMAGE    tag of the base image (default: mlops-gitops/python-base:bookworm)
#   MLOPS_DOCKER_STORAGE_DRIVER  overlay2, vfs, or auto (default): overlay2 when the kernel has
#                       overlayfs and the data root is not itself on overlayfs, else vfs; if
#                       dockerd does not come up with overlay2, it is restarted with vfs.
#                       vfs works everywhere but copies every layer and container file system in
#                       full (here: 9 s to start a container of the base image, 0.4 s on overlay2).
#   DEBIAN_MIRROR       Debian mirror for debootstrap (default: the first `URIs:`/`deb` line of
#                       apt's own configuration that serves bookworm main)
#
# The daemon runs without iptables and without the default bridge: containers use `--network host`.
# Everything but the final `export` line goes to stderr, so `eval "$(... up)"` is safe.
set -euo pipefail

WORK="${MLOPS_DOCKER_WORK:-$PWD/.ci-work/docker}"
SOCKET="$WORK/docker.sock"
PIDFILE="$WORK/dockerd.pid"
LOG="$WORK/dockerd.log"
BASE_IMAGE="${MLOPS_BASE_IMAGE:-mlops-gitops/python-base:bookworm}"
export DEBIAN_FRONTEND=noninteractive

say() { echo "docker.sh: $*" >&2; }

apt_updated=0
need_packages() {
    local missing=()
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$pkg")
    done
    if ((${#missing[@]})); then
        if ((apt_updated == 0)); then
            say "apt-get update"
            apt-get update -qq >&2
            apt_updated=1
        fi
        say "installing ${missing[*]}"
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    fi
}

dockerd_bin() {
    # Debian's docker.io puts dockerd in /usr/sbin; a docker client elsewhere on PATH is fine.
    if [[ -x /usr/sbin/dockerd ]]; then echo /usr/sbin/dockerd; else command -v dockerd; fi
}

docker_cli() { docker -H "unix://$SOCKET" "$@"; }

storage_driver() {
    local wanted="${MLOPS_DOCKER_STORAGE_DRIVER:-auto}"
    if [[ "$wanted" != auto ]]; then echo "$wanted"; return; fi
    if grep -qw overlay /proc/filesystems \
        && [[ "$(stat -f -c %T "$WORK" 2>/dev/null)" != overlayfs ]]; then
        echo overlay2
    else
        echo vfs
    fi
}

start_dockerd() {  # $1: storage driver; returns non-zero when the daemon does not answer
    say "starting dockerd (storage driver $1, data root $WORK/data, log $LOG)"
    # setsid: the daemon outlives this script and ignores the caller's terminal signals.
    setsid "$(dockerd_bin)" \
        --storage-driver "$1" --iptables=false --ip6tables=false --bridge=none \
        --data-root "$WORK/data" --exec-root "$WORK/exec" --pidfile "$PIDFILE" \
        -H "unix://$SOCKET" >"$LOG" 2>&1 </dev/null &
    local pid=$! i
    for i in $(seq 1 120); do
        if docker_cli info >/dev/null 2>&1; then return 0; fi
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.5
    done
    return 1
}

running() { [[ -f "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

cmd_up() {
    need_packages docker.io debootstrap
    mkdir -p "$WORK/data" "$WORK/exec"
    if running && docker_cli info >/dev/null 2>&1; then
        say "dockerd already running (pid $(cat "$PIDFILE"))"
    else
        local start=$SECONDS driver
        driver=$(storage_driver)
        if ! start_dockerd "$driver"; then
            if [[ "$driver" != overlay2 || -n "${MLOPS_DOCKER_STORAGE_DRIVER:-}" ]]; then
                say "dockerd did not answer within 60 s; its log:"
                tail -n 40 "$LOG" >&2
                exit 1
            fi
            say "dockerd did not start with overlay2; retrying with vfs"
            tail -n 5 "$LOG" >&2
            [[ -f "$PIDFILE" ]] && kill "$(cat "$PIDFILE")" 2>/dev/null || true
            sleep 1
            start_dockerd vfs || { tail -n 40 "$LOG" >&2; exit 1; }
        fi
        say "dockerd ready in $((SECONDS - start)) s"
    fi
    echo "export DOCKER_HOST=unix://$SOCKET"
}

debian_mirror() {
    if [[ -n "${DEBIAN_MIRROR:-}" ]]; then echo "$DEBIAN_MIRROR"; return; fi
    local files=() uri
    [[ -f /etc/apt/sources.list ]] && files+=(/etc/apt/sources.list)
    shopt -s nullglob
    files+=(/etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list)
    shopt -u nullglob
    # deb822 `URIs:` lines, then one-line `deb URI suite ...` entries; skip security/updates.
    uri=$(cat "${files[@]}" 2>/dev/null \
        | awk '/^URIs:/ {print $2} /^deb / && $0 !~ /\[/ {print $2} /^deb \[/ {print $3}' \
        | grep -E '/debian/?$' | grep -v security | head -n 1 || true)
    echo "${uri:-http://deb.debian.org/debian}"
}

cmd_base_image() {
    running || { say "dockerd is not running: run \`bash .ci/docker.sh up\` first"; exit 1; }
    if docker_cli image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
        say "$BASE_IMAGE exists; skipping"
        return
    fi
    need_packages debootstrap
    local root="$WORK/rootfs" mirror start=$SECONDS
    mirror=$(debian_mirror)
    rm -rf "$root"
    say "debootstrap bookworm from $mirror into $root"
    debootstrap --variant=minbase --include=python3,python3-venv,python3-pip \
        bookworm "$root" "$mirror" >"$WORK/debootstrap.log" 2>&1 \
        || { tail -n 40 "$WORK/debootstrap.log" >&2; exit 1; }
    # Keep the image lean (vfs copies every layer in full): no apt lists, caches or docs.
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
        "$root"/usr/share/doc "$root"/usr/share/man "$root"/usr/share/locale
    tar -C "$root" -c . | docker_cli import \
        --change 'ENV LANG=C.UTF-8' --change 'CMD ["/usr/bin/python3"]' - "$BASE_IMAGE" >&2
    rm -rf "$root"
    say "$BASE_IMAGE built in $((SECONDS - start)) s"
}

cmd_down() {
    if running; then
        local pid
        pid=$(cat "$PIDFILE")
        # Stop the containers first so none is left holding a port.
        docker_cli ps -q | xargs -r docker -H "unix://$SOCKET" rm -f >/dev/null 2>&1 || true
        kill "$pid"
        local i
        for i in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
        say "dockerd (pid $pid) stopped"
    else
        say "dockerd is not running"
    fi
}

case "${1:-}" in
    up) cmd_up ;;
    down) cmd_down ;;
    base-image) cmd_base_image ;;
    *) echo "usage: bash .ci/docker.sh up|down|base-image" >&2; exit 2 ;;
esac
