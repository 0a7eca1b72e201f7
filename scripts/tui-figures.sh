#!/usr/bin/env bash
# Figures of the terminal client (issue 4): time to first frame with and
# without starting the local server, idle CPU over 10 s, RSS, and frame render
# time at 200x60 (the render bench). Runs `vitae` in a real pseudo-terminal
# (tmux, 200x60) against release builds; prints one table.
#
#   scripts/tui-figures.sh            # needs tmux
set -euo pipefail
cd "$(dirname "$0")/.."
command -v tmux >/dev/null || { echo "tmux is required" >&2; exit 1; }

cargo build --release --bins -q
BIN=$PWD/target/release
WORK=$(mktemp -d)
SOCK=vitae-figures-$$
trap 'tmux -L $SOCK kill-server 2>/dev/null || true; [ -f $WORK/data/server.url ] && kill $(sed -n "s/^pid //p" $WORK/data/server.url) 2>/dev/null || true; rm -rf $WORK' EXIT

# Run vitae in a 200x60 pane; wait for its first frame; print the µs it took.
first_frame() {
  local label=$1
  rm -f "$WORK/frame"
  tmux -L $SOCK -f /dev/null new-session -d -x 200 -y 60 \
    "env VITAE_DATA_DIR=$WORK/data VITAE_FIRST_FRAME_FILE=$WORK/frame NO_COLOR=1 $BIN/vitae"
  for _ in $(seq 1 400); do [ -s "$WORK/frame" ] && break; sleep 0.025; done
  printf '%-48s %8.1f ms\n' "time to first frame, $label" "$(awk '{print $1/1000}' "$WORK/frame")"
}

echo "vitae figures — $(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"
first_frame "starting the local server"
tmux -L $SOCK kill-server
sleep 0.5
first_frame "local server already running"
sleep 1
PANE=$(tmux -L $SOCK list-panes -F '#{pane_pid}')
PID=$(pgrep -P "$PANE" -x vitae || echo "$PANE")
ticks() { awk '{print $14 + $15}' /proc/$PID/stat; }
T0=$(ticks); sleep 10; T1=$(ticks)
HZ=$(getconf CLK_TCK)
printf '%-48s %8.2f %%\n' "idle CPU over 10 s" "$(echo "($T1 - $T0) * 100 / $HZ / 10" | bc -l)"
printf '%-48s %8.1f MiB\n' "RSS (VmRSS), idle library" "$(awk '/VmRSS/ {print $2/1024}' /proc/$PID/status)"
tmux -L $SOCK send-keys q
cargo bench -q -p vitae-tui --bench render 2>/dev/null | tail -n +2
