#!/usr/bin/env bash
# Installs what building, running and testing member-kiosk needs on Debian 12 or
# Raspberry Pi OS (bookworm): Debian packages (compiler, fontconfig headers, the X11/Wayland
# client libraries the window backend loads, CJK fonts, Xvfb for the test that runs the real
# binary in a virtual display) and a Rust toolchain new enough for
# edition 2024 (Debian's own rustc is too old). Idempotent: installs only what is missing.
# Source it (`. scripts/setup.sh`) so `cargo` is on PATH afterwards.
set -euo pipefail

packages=(
  build-essential pkg-config ca-certificates curl
  libfontconfig1-dev libudev-dev libinput-dev libxkbcommon-dev
  libxkbcommon0 libxkbcommon-x11-0 libx11-xcb1 libxcursor1 libxrandr2 libxi6 libwayland-client0
  fonts-noto-cjk
  xvfb systemd
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
required="1.92"
have=$(rustc --version 2>/dev/null | awk '{print $2}' || true)
if [ -z "$have" ] || [ "$(printf '%s\n%s\n' "$required" "$have" | sort -V | head -n1)" != "$required" ]; then
  if command -v rustup >/dev/null; then
    rustup toolchain install stable --profile minimal -c clippy,rustfmt
    rustup default stable
  else
    echo "setup: installing Rust with rustup" >&2
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c clippy,rustfmt
    . "$HOME/.cargo/env"
  fi
fi
