"""Paired timing with the TypeScript side (bench/twins.ts, LiveTwin): the twin stays alive and runs one step when
asked, so that avdit's and PyTorch's steps alternate and a VM whose speed drifts within minutes slows both alike.

Protocol on stdin/stdout, one line each: after warming every step up twice the twin prints "READY <json>"; then
"<i>" runs step i once and answers its milliseconds; "end" prints `final()` as one JSON line and returns.
"""
import json
import sys
import time


def serve(steps, info, final, sync=lambda: None):
    for f in steps:
        if f:
            f(); f(); sync()
    print("READY " + json.dumps(info), flush=True)
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "end":
            break
        f = steps[int(cmd)]
        t0 = time.perf_counter(); f(); sync()
        print(f"{(time.perf_counter() - t0) * 1000:.4f}", flush=True)
    print(json.dumps(final()), flush=True)
