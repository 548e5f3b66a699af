#!/usr/bin/env bash
# Installs the Debian packages the test suite drives (real programs in real PTYs) when they are
# missing. Does nothing on a machine that already has them.
set -euo pipefail

# command-to-check:package
needs=(
  python3:python3
  bash:bash
  vim:vim
  less:less
  htop:htop
  top:procps
  sshd:openssh-server
  ssh:openssh-client
  tmux:tmux
)

missing=()
for pair in "${needs[@]}"; do
  cmd=${pair%%:*}
  pkg=${pair#*:}
  if ! command -v "$cmd" >/dev/null 2>&1 && ! [ -x "/usr/sbin/$cmd" ]; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
