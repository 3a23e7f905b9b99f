#!/usr/bin/env python3
"""Writes seeds for tests/fuzz/fuzz_dns into the directory argv[1]: the
item-model §13 query and answer, one answer of every record type from
gen_dns_msgs.py (when dnspython is there), hand-made messages with
compression pointers, and TCP streams of length-prefixed messages."""
import os
import subprocess
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

SAMPLE_QUERY = ("12340100000100000000000103617069076578616d706c6503636f6d00000100010000"
                "2904d0000000000000")
SAMPLE_ANSWER = ("12348180000100020000000103617069076578616d706c6503636f6d0000010001c00c"
                 "000500010000012c00120465646765076578616d706c65036e657400c02d0001000100"
                 "00003c00045db8d82200002904d0000000000000")


def name(text):
    out = b""
    for label in text.split(".") if text else []:
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def hand_made():
    hdr = struct.pack(">HHHHHH", 7, 0x8180, 1, 1, 0, 0)
    q = name("a.example.com") + struct.pack(">HH", 1, 1)
    yield "pointer_ok", hdr + q + b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + b"\x01\x02\x03\x04"
    yield "pointer_loop", hdr + b"\xc0\x0c" + struct.pack(">HH", 1, 1)
    yield "pointer_fwd", hdr + q + b"\xc0\x40" + struct.pack(">HHIH", 5, 1, 60, 2) + b"\xc0\x0c"
    yield "long_name", hdr + name(".".join(["x" * 63] * 4)) + struct.pack(">HH", 1, 1)


def generated():
    try:
        out = subprocess.run([sys.executable, os.path.join(HERE, "gen_dns_msgs.py")],
                             capture_output=True, check=True, text=True).stdout
    except subprocess.CalledProcessError:
        return  # no dnspython: the hand-made seeds still go out
    import json
    for i, line in enumerate(out.splitlines()):
        case = json.loads(line)
        yield "rr_%02d_%s" % (i, case["case"]), bytes.fromhex(case["hex"])


def framed(msgs):
    return b"".join(struct.pack(">H", len(m)) + m for m in msgs)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: gen_fuzz_seeds_dns.py DIR")
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    seeds = {"sample_query": bytes.fromhex(SAMPLE_QUERY),
             "sample_answer": bytes.fromhex(SAMPLE_ANSWER)}
    seeds.update(hand_made())
    seeds.update(generated())
    msgs = list(seeds.values())
    seeds["tcp_sample"] = framed(msgs[:2])
    seeds["tcp_many"] = framed(msgs[:12])
    for key, data in sorted(seeds.items()):
        with open(os.path.join(outdir, key), "wb") as f:
            f.write(data)
    print("%d seeds in %s" % (len(seeds), outdir))


if __name__ == "__main__":
    main()
