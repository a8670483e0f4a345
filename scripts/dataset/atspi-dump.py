#!/usr/bin/python3
"""Dumps the clickable elements of one application's accessibility tree (AT-SPI) as JSON lines.

Usage: atspi-dump.py APP_NAME_SUBSTRING OUT_FILE
Each line: {"role", "name", "x", "y", "w", "h", "showing"} in screen coordinates.
Needs apt: python3-pyatspi gir1.2-atspi-2.0, and a running AT-SPI bus (see gtk-session.sh).
"""
import json
import sys

import pyatspi

ROLES = {
    "push button", "toggle button", "menu item", "menu", "check box", "radio button",
    "combo box", "text", "entry", "spin button", "page tab", "check menu item",
    "radio menu item", "label",
}


def walk(node, depth, out):
    if node is None or depth > 40:
        return
    try:
        role = node.getRoleName()
        name = node.name or ""
        states = node.getState()
        showing = states.contains(pyatspi.STATE_SHOWING) and states.contains(pyatspi.STATE_VISIBLE)
        if role in ROLES and showing:
            ext = node.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
            desc = node.description or ""
            out.append({"role": role, "name": name, "description": desc,
                        "x": ext.x, "y": ext.y, "w": ext.width, "h": ext.height, "depth": depth})
        count = node.childCount
    except Exception:  # a node that vanished mid-walk: skip it, keep the rest
        return
    if count > 500:
        return
    for i in range(count):
        try:
            child = node.getChildAtIndex(i)
        except Exception:
            continue
        walk(child, depth + 1, out)


def main():
    want, out_file = sys.argv[1].lower(), sys.argv[2]
    desktop = pyatspi.Registry.getDesktop(0)
    found = []
    for i in range(desktop.childCount):
        app = desktop.getChildAtIndex(i)
        if app is not None and want in (app.name or "").lower():
            walk(app, 0, found)
    with open(out_file, "w", encoding="utf-8") as f:
        for row in found:
            f.write(json.dumps(row) + "\n")
    print(f"{len(found)} elements", file=sys.stderr)
    return 0 if found else 1


if __name__ == "__main__":
    sys.exit(main())
