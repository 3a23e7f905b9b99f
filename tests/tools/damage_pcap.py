#!/usr/bin/env python3
"""Rewrites a pcap capture the way a lossy network or a busy capture would.
Needs scapy (Debian: python3-scapy, for /usr/bin/python3).

Usage:
  damage_pcap.py reorder   IN OUT [--seed S] [--rate R]
  damage_pcap.py duplicate IN OUT [--seed S] [--rate R]
  damage_pcap.py drop      IN OUT [--seed S] [--frame N | --uri SUBSTR]
                 [--part request|response]
                 [--items TSHARK_ITEMS | --http-port P... --dns-port P...]

reorder    In every TCP stream, swaps pairs of data segments that follow each
           other in the same direction (no data of the other direction in
           between, so no answer comes before its question), each pair with
           probability R (default 0.5): [a, acks..., b] becomes
           [b, a, acks...], so b overtakes a and no ACK covers data not yet
           seen.  Packets change places; the timestamps stay where they
           were, so the file stays in time order.
duplicate  Each TCP data segment is, with probability R (default 0.3),
           sent again 1-3 packets later (a retransmission of the same
           bytes), with the timestamp of the packet it follows.
drop       Removes one TCP data segment.  With --frame, that frame (1-based,
           as tshark numbers it).  Otherwise a segment in the middle of one
           HTTP message (--part, default response) of a transaction chosen
           by the seed among those (whose URI contains SUBSTR, with --uri)
           whose message spans the most segments.  Uses
           tshark_items.py (tshark) to know which transaction each frame
           belongs to (or reads its --frames output from --items), and
           prints on stdout the canonical lines of every
           transaction that the dropped frame carried bytes of: exactly
           the ones a correct dissector may lose (compare_items.py
           --may-lose).

Deterministic: the same input, mode and seed give the same output.  A
summary goes to stderr ("damage_pcap: reorder: 12 swaps in 7 streams");
the exit status is 1 when nothing could be damaged.  Only classic pcap
files (what tcpdump -w writes) are read; the link type is kept.
"""
import argparse
import json
import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import logging  # noqa: E402
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import conf, IP, IPv6, TCP, Padding  # noqa: E402


class Meta:
    def __init__(self, sec, frac, wirelen):
        self.sec, self.frac, self.wirelen = sec, frac, wirelen

    def copy(self):
        return Meta(self.sec, self.frac, self.wirelen)


# Classic pcap, read and written here: scapy's RawPcapReader cuts packets
# at 65535 bytes, and loopback captures have larger ones.
def read(path):
    """(header bytes, endian, link type, [[data, Meta], ...])"""
    with open(path, "rb") as f:
        buf = f.read()
    magic = buf[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        sys.exit("damage_pcap: %s is not a classic pcap file (pcapng is not supported)" % path)
    header = buf[:24]
    linktype = struct.unpack(endian + "I", header[20:24])[0] & 0x0FFFFFFF
    pkts, off = [], 24
    while off + 16 <= len(buf):
        sec, frac, caplen, wirelen = struct.unpack(endian + "IIII", buf[off:off + 16])
        off += 16
        if off + caplen > len(buf):
            print("damage_pcap: %s: last packet cut short, dropped" % path, file=sys.stderr)
            break
        pkts.append([buf[off:off + caplen], Meta(sec, frac, wirelen)])
        off += caplen
    return header, endian, linktype, pkts


def write(path, header, endian, pkts):
    with open(path, "wb") as f:
        f.write(header)
        for data, m in pkts:
            f.write(struct.pack(endian + "IIII", m.sec, m.frac, len(data), m.wirelen))
            f.write(data)


def tcp_info(linktype, data):
    """(stream key, direction, payload length, flags) of a TCP packet, else None."""
    cls = conf.l2types.get(linktype)
    if cls is None:
        return None
    try:
        p = cls(data)
    except Exception:
        return None
    ip = p.getlayer(IP) or p.getlayer(IPv6)
    if ip is None or TCP not in p:
        return None
    t = p[TCP]
    a, b = (ip.src, t.sport), (ip.dst, t.dport)
    payload = len(bytes(t.payload))
    if Padding in p:
        payload -= len(bytes(p[Padding]))
    return (min(a, b), max(a, b)), (a, b), payload, int(t.flags)


def analyse(linktype, pkts):
    """Per packet its tcp_info; per TCP stream the indexes of all its
    packets and of its data packets."""
    info = [tcp_info(linktype, d) for d, _ in pkts]
    streams, data = {}, {}
    for i, x in enumerate(info):
        if x is not None:
            streams.setdefault(x[0], []).append(i)
            if x[2] > 0:
                data.setdefault(x[0], []).append(i)
    return info, streams, data


def reorder(linktype, pkts, rng, rate):
    info, streams, _ = analyse(linktype, pkts)
    order = list(range(len(pkts)))
    swaps, touched = 0, 0
    for key in sorted(streams, key=str):
        sp = streams[key]                     # the stream's packets, in order
        d = [k for k, i in enumerate(sp) if info[i][2] > 0]
        new = list(sp)
        n0 = swaps
        j = 0
        while j + 1 < len(d):
            a, b = d[j], d[j + 1]             # consecutive data segments
            if info[sp[a]][1] == info[sp[b]][1] and rng.random() < rate:
                # [a, acks..., b] -> [b, a, acks...]: b overtakes a, and
                # no ACK is seen for data that has not been seen yet
                new[a:b + 1] = [sp[b], sp[a]] + sp[a + 1:b]
                swaps += 1
                j += 2
            else:
                j += 1
        for pos, src in zip(sp, new):
            order[pos] = src
        touched += swaps > n0
    out = []
    for pos, src in enumerate(order):
        meta = pkts[pos][1].copy()     # timestamps stay in place
        meta.wirelen = pkts[src][1].wirelen
        out.append([pkts[src][0], meta])
    return out, "%d swaps in %d streams" % (swaps, touched), swaps


def duplicate(linktype, pkts, rng, rate):
    info, _, _ = analyse(linktype, pkts)
    inserts = {}  # position -> list of packet indexes to insert after it
    n = 0
    for i, x in enumerate(info):
        if x is not None and x[2] > 0 and rng.random() < rate:
            at = min(i + rng.randint(0, 2), len(pkts) - 1)
            inserts.setdefault(at, []).append(i)
            n += 1
    out = []
    for i, (data, meta) in enumerate(pkts):
        out.append([data, meta])
        for j in inserts.get(i, []):
            m = meta.copy()
            m.wirelen = pkts[j][1].wirelen
            out.append([pkts[j][0], m])
    return out, "%d segments duplicated" % n, n


def drop(linktype, pkts, rng, args, src):
    import tshark_items
    if args.items:
        with open(args.items, encoding="utf-8") as f:
            recs = [json.loads(l) for l in f if l.strip()]
        if recs and "_frames" not in recs[0]:
            sys.exit("damage_pcap: %s has no _frames (tshark_items.py --frames)" % args.items)
    else:
        recs = tshark_items.transactions(src, args.http_port, args.dns_port)
    info, _, _ = analyse(linktype, pkts)
    is_data = lambda f: 1 <= f <= len(pkts) and info[f - 1] is not None and info[f - 1][2] > 0
    if args.frame:
        frame = args.frame
        if not is_data(frame):
            sys.exit("damage_pcap: frame %d is not a TCP segment with data" % frame)
    else:
        key = "_resp_frames" if args.part == "response" else "_req_frames"
        cands = [r for r in recs if r["proto"] == "http" and r.get(key)]
        if args.uri:
            cands = [r for r in cands if args.uri in r["uri"]]
        cands.sort(key=lambda r: tshark_items.dumps(r))
        most = max((len([f for f in r[key] if is_data(f)]) for r in cands), default=0)
        cands = [r for r in cands if len([f for f in r[key] if is_data(f)]) == most]
        cands = [rng.choice(cands)] if cands else []
        if not cands:
            sys.exit("damage_pcap: no transaction to cut")
        frames = [f for f in cands[0][key] if is_data(f)]
        if not frames:
            sys.exit("damage_pcap: the chosen message has no data segment")
        frame = frames[len(frames) // 2]
    cut = [r for r in recs if frame in r.get("_frames", [])]
    out = [p for i, p in enumerate(pkts) if i != frame - 1]
    return out, "frame %d dropped, %d transaction(s) cut" % (frame, len(cut)), cut


def main():
    ap = argparse.ArgumentParser(description="damage a pcap capture")
    ap.add_argument("mode", choices=["reorder", "duplicate", "drop"])
    ap.add_argument("inp")
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rate", type=float)
    ap.add_argument("--frame", type=int)
    ap.add_argument("--uri")
    ap.add_argument("--part", choices=["request", "response"], default="response")
    ap.add_argument("--items", help="tshark_items.py --frames output for IN (saves a tshark run)")
    ap.add_argument("--http-port", type=int, action="append", default=[])
    ap.add_argument("--dns-port", type=int, action="append", default=[])
    args = ap.parse_args()
    rng = random.Random(args.seed)
    header, endian, linktype, pkts = read(args.inp)
    if args.mode == "reorder":
        out, summary, n = reorder(linktype, pkts, rng, 0.5 if args.rate is None else args.rate)
    elif args.mode == "duplicate":
        out, summary, n = duplicate(linktype, pkts, rng, 0.3 if args.rate is None else args.rate)
    else:
        out, summary, cut = drop(linktype, pkts, rng, args, args.inp)
        n = len(cut)
        import tshark_items
        for line in tshark_items.canonical_lines(cut):
            print(line)
    write(args.out, header, endian, out)
    print("damage_pcap: %s: %s" % (args.mode, summary), file=sys.stderr)
    return 0 if n else 1


if __name__ == "__main__":
    sys.exit(main())
