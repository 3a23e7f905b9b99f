#!/usr/bin/env python3
"""Seeds for tests/fuzz/fuzz_decode.c, from the scapy-built frames of
gen_frames.py.

Usage: gen_fuzz_seeds_decode.py OUTDIR   (e.g. tests/fuzz/seeds/fuzz_decode)

Run it before tests/fuzz/run.sh fuzz_decode.  Each pcap becomes one seed
holding all its packets (so fragments reassemble) and each packet a seed
of its own, in the target's format: link-type index, limits byte, then
records of u16 LE length, control byte, frame.  Exits 77 without scapy.
"""
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
# pcap LINKTYPE_* -> index into link_types[] of fuzz_decode.c
LINK_INDEX = {1: 0, 113: 1, 276: 2, 0: 3, 108: 4, 101: 5, 228: 6, 229: 7}


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    linktype = struct.unpack_from("<I", data, 20)[0]
    pos, frames = 24, []
    while pos + 16 <= len(data):
        caplen, wire = struct.unpack_from("<II", data, pos + 8)
        frames.append((data[pos + 16:pos + 16 + caplen], wire > caplen))
        pos += 16 + caplen
    return linktype, frames


def record(frame, cut, ctl=1):
    return struct.pack("<HB", len(frame), ctl | (8 if cut else 0)) + frame


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        gen = os.path.join(HERE, "gen_frames.py")
        rc = subprocess.call([sys.executable, gen, tmp])
        # A virtualenv or pyenv python often lacks the distro's scapy.
        if rc == 77 and os.path.exists("/usr/bin/python3"):
            rc = subprocess.call(["/usr/bin/python3", gen, tmp])
        if rc:
            sys.exit(rc)
        for name in sorted(os.listdir(tmp)):
            if not name.endswith(".pcap"):
                continue
            linktype, frames = read_pcap(os.path.join(tmp, name))
            head = bytes([LINK_INDEX[linktype], 0])
            base = name[:-5]
            with open(os.path.join(outdir, base + "-all"), "wb") as f:
                f.write(head + b"".join(record(fr, cut) for fr, cut in frames))
            # Small caps, a 1 s timeout, and expiry after every 4th packet.
            with open(os.path.join(outdir, base + "-caps"), "wb") as f:
                f.write(bytes([head[0], 1 | 2]) + b"".join(
                    record(fr, cut, 1 | (16 if i % 4 == 3 else 0))
                    for i, (fr, cut) in enumerate(frames)))
            for i, (fr, cut) in enumerate(frames):
                with open(os.path.join(outdir, "%s-%02d" % (base, i)), "wb") as f:
                    f.write(head + record(fr, cut))


if __name__ == "__main__":
    main()
