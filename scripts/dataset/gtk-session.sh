#!/bin/sh
# One GTK app inside its own D-Bus session with the accessibility bus on:
#   dbus-run-session -- sh gtk-session.sh OUT_DIR NAME COMMAND [ARGS...]
# Starts the AT-SPI bus, turns accessibility on, starts the app, waits until the generator
# writes OUT_DIR/NAME.go (it arranges the window meanwhile), dumps the accessibility tree to
# OUT_DIR/NAME.atspi.jsonl, then waits for OUT_DIR/NAME.quit and ends the app.
# Needs apt: dbus at-spi2-core python3-pyatspi gir1.2-atspi-2.0.
set -u
out="$1"; name="$2"; shift 2
here="$(dirname "$0")"
# A fresh settings home per scene: galculator and mousepad remember their mode and menus, and a
# remembered mode would make the next run's screens differ.
export XDG_CONFIG_HOME="$out/$name.home/config" XDG_DATA_HOME="$out/$name.home/data" XDG_CACHE_HOME="$out/$name.home/cache"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME"
/usr/libexec/at-spi-bus-launcher --launch-immediately &
bus=$!
sleep 1
gdbus call --session --dest org.a11y.Bus --object-path /org/a11y/bus \
  --method org.freedesktop.DBus.Properties.Set org.a11y.Status IsEnabled '<true>' >/dev/null
export ACCESSIBILITY_ENABLED=1 GTK_MODULES=gail:atk-bridge NO_AT_BRIDGE=0
"$@" &
app=$!
echo "$app" > "$out/$name.pid"
i=0
while [ ! -e "$out/$name.go" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
/usr/bin/python3 "$here/atspi-dump.py" "$(basename "$1")" "$out/$name.atspi.jsonl" 2>"$out/$name.atspi.log"
touch "$out/$name.dumped"
i=0
while [ ! -e "$out/$name.quit" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done
kill "$app" 2>/dev/null
wait "$app" 2>/dev/null
kill "$bus" 2>/dev/null
wait "$bus" 2>/dev/null
exit 0
