#!/usr/bin/env bash
# Installs what the mover tests (and the sandbox cluster) need on a Debian 12 host:
# rclone, bubblewrap, jq, kubectl, clang and zlib1g-dev (only if absent) from apt, and s3rver from npm into
# <repo>/.tools. Idempotent: when everything is present it only checks and exits.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="${REPO_ROOT}/.tools"
S3RVER_SPEC="s3rver@3.7.1"

installed=()
apt_packages=()

command -v rclone >/dev/null 2>&1 || apt_packages+=(rclone)
command -v bwrap >/dev/null 2>&1 || apt_packages+=(bubblewrap)
# The mover builds its manifest and result with jq.
command -v jq >/dev/null 2>&1 || apt_packages+=(jq)
command -v kubectl >/dev/null 2>&1 || apt_packages+=(kubernetes-client)
# The Native AOT build of the operator (the image's; tested and benchmarked) links with clang against zlib.
command -v clang >/dev/null 2>&1 || apt_packages+=(clang)
dpkg -s zlib1g-dev >/dev/null 2>&1 || apt_packages+=(zlib1g-dev)
# npm is only needed to install s3rver; Debian's nodejs (18) runs it fine.
if [[ ! -x "${TOOLS_DIR}/node_modules/.bin/s3rver" ]] && ! command -v npm >/dev/null 2>&1; then
  apt_packages+=(nodejs npm)
fi

if ((${#apt_packages[@]} > 0)); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "prereqs: missing ${apt_packages[*]}; run as root to install them with apt-get" >&2
    exit 1
  fi
  # Update the package index once, and only because something is missing.
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
  installed+=("${apt_packages[@]}")
fi

if [[ ! -x "${TOOLS_DIR}/node_modules/.bin/s3rver" ]]; then
  mkdir -p "${TOOLS_DIR}"
  npm install --silent --no-audit --no-fund --prefix "${TOOLS_DIR}" "${S3RVER_SPEC}" >/dev/null
  installed+=("${S3RVER_SPEC} (${TOOLS_DIR}/node_modules)")
fi

if ((${#installed[@]} > 0)); then
  echo "prereqs: installed ${installed[*]}"
else
  echo "prereqs: all present (rclone, bwrap, jq, kubectl, clang, zlib1g-dev, s3rver)"
fi
