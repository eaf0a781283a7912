"""Prints a baseline file one entry a line, after checking its shape.

Usage: show-baseline.py FILE
"""
import json
import sys

with open(sys.argv[1], encoding="utf-8") as f:
    baseline = json.load(f)
if set(baseline) != {"version", "tool", "findings"}:
    sys.exit(f"unexpected keys {sorted(baseline)}")
print(f'version={baseline["version"]} tool={baseline["tool"]}')
for entry in baseline["findings"]:
    if set(entry) != {"check", "file", "function", "line_text", "count"}:
        sys.exit(f"unexpected entry keys {sorted(entry)}")
    print(entry["check"], entry["file"], entry["function"], entry["count"], entry["line_text"])
print(f'entries={len(baseline["findings"])}')
