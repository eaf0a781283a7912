"""Compares the gilport/v1 fingerprints of two SARIF reports.

Usage: compare-fingerprints.py OLD.sarif NEW.sarif
Prints how many results kept their fingerprint (and how many of those moved
to another line), then the results that are new and those that are gone.
"""
import json
import os
import sys


def results(path):
    with open(path, encoding="utf-8") as f:
        run = json.load(f)["runs"][0]
    found = {}
    for result in run["results"]:
        fingerprint = result["partialFingerprints"]["gilport/v1"]
        if fingerprint in found:
            sys.exit(f"{path}: fingerprint {fingerprint} given twice")
        location = result["locations"][0]["physicalLocation"]
        found[fingerprint] = (result["ruleId"], os.path.basename(location["artifactLocation"]["uri"]),
                              location["region"]["startLine"])
    return found


old, new = results(sys.argv[1]), results(sys.argv[2])
kept = [f for f in old if f in new]
moved = [f for f in kept if old[f][2] != new[f][2]]
print(f"kept: {len(kept)} (on other lines: {len(moved)})")
for label, side, other in (("new", new, old), ("gone", old, new)):
    extra = sorted(side[f] for f in side if f not in other)
    print(f"{label}: {len(extra)}" + "".join(f" {rule} {name}:{line}" for rule, name, line in extra))
