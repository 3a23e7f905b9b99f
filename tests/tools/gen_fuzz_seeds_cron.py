#!/usr/bin/env python3
"""Writes seed inputs for tests/fuzz/fuzz_cron.c into the directory argv[1]."""
import os
import sys

SEEDS = [
    "* * * * * *", "* * * * *", "*/15 * * * * *", "0 */5 * * * *", "5/15 * * * *",
    "10-20/3 * * * *", "0 0,30 8,12 * * *", "0 0 9-17/4 * * *", "0 0 0 31 * *",
    "0 0 0 29 2 *", "0 0 0 30 2 *", "0 0 0 13 * 5", "0 0 1,15 * mon", "0 0 0 ? * wed",
    "0 0 0 15 * ?", "0 0 0 1 Jun-Aug *", "0 0 0 1 feb-dec/3 *", "0 0 0 * * FRI-SUN",
    "0 0 0 * * 3/2", "0 0 0 * * 7", "0 0 0 */2 * 1", "@yearly", "@annually", "@monthly",
    "@weekly", "@daily", "@midnight", "@hourly", "@every 1m30s", "@every 2h",
    "@every 1.5s", "@every 500ms", "@every 1h0m0s", "@every 99999999999h", "@foo",
    "0 61 * * * *", "0 0 0 * JANUARY *", "0 1,,2 * * * *", "0 */ * * * *", "",
    "0 0 0 * * 99999999999999999", "0 0 0 L * *", "59 59 23 31 12 *",
]

def main() -> None:
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for i, seed in enumerate(SEEDS):
        with open(os.path.join(out, f"seed{i:03d}"), "w", encoding="utf-8") as f:
            f.write(seed)

if __name__ == "__main__":
    main()
