#!/usr/bin/env python3
"""Checks of wirehook's PCAP output against the original capture, for the
end-to-end capture tests.  Exit status 1 (with the reasons on stderr) when
a check fails.

  e2e_pcap.py streams ORIG.pcap PCAPS_DIR
      every file in PCAPS_DIR holds exactly the packets of one flow
      (5-tuple, both directions) of ORIG, in ORIG's order, named
      %012d.pcap (TCP) / %012d_udp.pcap (UDP); every packet of ORIG is in
      one of them
  e2e_pcap.py merged ORIG.pcap SNAPSHOT.pcap
      SNAPSHOT holds exactly ORIG's packets (same records, as a multiset),
      timestamps never go backwards, header as runtime.md 8.3 says
  e2e_pcap.py same A.pcap B.pcap
      the same records in the same order (headers may differ)
  e2e_pcap.py empty FILE.pcap
      a valid header and no record
  e2e_pcap.py count FILE.pcap
      prints the number of records
  e2e_pcap.py packets ORIG.pcap LOG
      LOG's lines "PKT <json>" (onPacketCaptured infos) are one per packet
      of ORIG, in order, with the values tshark reports
"""
import datetime
import json
import os
import re
import struct
import subprocess
import sys

ERR = []


def need(cond, what):
    if not cond:
        ERR.append(what)
    return cond


def read_pcap(path):
    """(header dict, [(sec, usec_or_nsec_scaled_to_ns, caplen, len, data)])."""
    with open(path, "rb") as f:
        buf = f.read()
    if len(buf) < 24:
        raise SystemExit("%s: shorter than a pcap header" % path)
    magic = buf[:4]
    table = {b"\xd4\xc3\xb2\xa1": ("<", 1000), b"\xa1\xb2\xc3\xd4": (">", 1000),
             b"\x4d\x3c\xb2\xa1": ("<", 1), b"\xa1\xb2\x3c\x4d": (">", 1)}
    if magic not in table:
        raise SystemExit("%s: not a classic pcap file (magic %s)" % (path, magic.hex()))
    end, scale = table[magic]
    vmaj, vmin, _tz, _sig, snaplen, linktype = struct.unpack(end + "HHiIII", buf[4:24])
    hdr = {"magic": magic, "endian": end, "ns": scale == 1, "version": (vmaj, vmin),
           "snaplen": snaplen, "linktype": linktype, "size": len(buf)}
    recs, off = [], 24
    while off < len(buf):
        if off + 16 > len(buf):
            raise SystemExit("%s: truncated record header at %d" % (path, off))
        sec, frac, incl, orig = struct.unpack(end + "IIII", buf[off:off + 16])
        off += 16
        if off + incl > len(buf):
            raise SystemExit("%s: truncated record at %d" % (path, off))
        recs.append((sec * 1000000000 + frac * scale, incl, orig, buf[off:off + incl]))
        off += incl
    return hdr, recs


def flow_key(data, linktype):
    """('tcp'|'udp', frozenset of the two endpoints) or None."""
    if linktype == 1:  # Ethernet
        if len(data) < 14:
            return None
        et, off = struct.unpack(">H", data[12:14])[0], 14
        while et in (0x8100, 0x88A8) and len(data) >= off + 4:
            et, off = struct.unpack(">H", data[off + 2:off + 4])[0], off + 4
    elif linktype in (0, 108):  # BSD loopback
        fam = struct.unpack("<I", data[:4])[0] if len(data) >= 4 else 0
        et, off = (0x0800 if fam == 2 else 0x86DD), 4
    elif linktype in (101, 12):  # raw IP
        et, off = (0x0800 if data[0] >> 4 == 4 else 0x86DD), 0
    else:
        return None
    if et == 0x0800:
        if len(data) < off + 20:
            return None
        ihl = (data[off] & 15) * 4
        proto = data[off + 9]
        src, dst = data[off + 12:off + 16], data[off + 16:off + 20]
        l4 = off + ihl
    elif et == 0x86DD:
        if len(data) < off + 40:
            return None
        proto = data[off + 6]
        src, dst = data[off + 8:off + 24], data[off + 24:off + 40]
        l4 = off + 40
    else:
        return None
    if proto not in (6, 17) or len(data) < l4 + 4:
        return None
    sp, dp = struct.unpack(">HH", data[l4:l4 + 4])
    return ("tcp" if proto == 6 else "udp", frozenset([(src, sp), (dst, dp)]))


def key_text(k):
    if k is None:
        return "(no TCP/UDP)"
    eps = sorted(k[1])
    def ep(e):
        a = e[0]
        return ("%d.%d.%d.%d" % tuple(a) if len(a) == 4 else a.hex()) + ":%d" % e[1]
    return "%s %s <-> %s" % (k[0], ep(eps[0]), ep(eps[1]))


def rec_id(r):
    return (r[0], r[1], r[2], r[3])


def cmd_streams(orig, d):
    ohdr, orecs = read_pcap(orig)
    by_key = {}
    for i, r in enumerate(orecs):
        by_key.setdefault(flow_key(r[3], ohdr["linktype"]), []).append(i)
    covered = {}
    names = sorted(os.listdir(d))
    need(names, "%s is empty" % d)
    for n in names:
        m = re.fullmatch(r"(\d{12})(_udp)?\.pcap", n)
        if not need(m, "%s: not a stream file name" % n):
            continue
        hdr, recs = read_pcap(os.path.join(d, n))
        need(hdr["linktype"] == ohdr["linktype"], "%s: link type %d, original %d" %
             (n, hdr["linktype"], ohdr["linktype"]))
        keys = {flow_key(r[3], hdr["linktype"]) for r in recs}
        if not need(len(keys) == 1, "%s: %d flows in one stream file: %s" %
                    (n, len(keys), ", ".join(key_text(k) for k in keys))):
            continue
        k = keys.pop()
        need(k is not None and (k[0] == "udp") == bool(m.group(2)),
             "%s: holds %s" % (n, key_text(k)))
        if not need(k not in covered, "%s: flow %s also in %s" % (n, key_text(k), covered.get(k))):
            continue
        covered[k] = n
        want = [rec_id(orecs[i]) for i in by_key.get(k, [])]
        got = [rec_id(r) for r in recs]
        if want != got:
            missing = [w for w in want if w not in got]
            extra = [g for g in got if g not in want]
            ERR.append("%s (%s): %d packets, the original has %d for this flow; "
                       "missing %s; extra %s" % (
                           n, key_text(k), len(got), len(want),
                           ["t=%d.%09d len=%d" % (w[0] // 10**9, w[0] % 10**9, w[2]) for w in missing][:5],
                           ["t=%d.%09d len=%d" % (w[0] // 10**9, w[0] % 10**9, w[2]) for w in extra][:5]))
    for k, idx in by_key.items():
        need(k in covered, "flow %s (%d packets, first #%d) is in no stream file" %
             (key_text(k), len(idx), idx[0] + 1))
    print("streams: %d files, %d flows in the original, %d packets" %
          (len(names), len(by_key), len(orecs)))


def cmd_merged(orig, snap):
    ohdr, orecs = read_pcap(orig)
    hdr, recs = read_pcap(snap)
    need(hdr["magic"] in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4") and not hdr["ns"],
         "%s: not a microsecond pcap" % snap)
    need(hdr["snaplen"] == 262144, "%s: snaplen %d, expected 262144" % (snap, hdr["snaplen"]))
    need(hdr["linktype"] == ohdr["linktype"], "%s: link type %d, expected %d" %
         (snap, hdr["linktype"], ohdr["linktype"]))
    ts = [r[0] for r in recs]
    need(all(a <= b for a, b in zip(ts, ts[1:])), "%s: timestamps go backwards" % snap)
    want = sorted(rec_id(r) for r in orecs if r[1] > 0)
    got = sorted(rec_id(r) for r in recs)
    if not need(want == got, "%s: %d packets, the original %d" % (snap, len(got), len(want))):
        w, g = set(want), set(got)
        for r in sorted(w - g)[:10]:
            ERR.append("  missing t=%d.%09d len=%d %s" % (r[0] // 10**9, r[0] % 10**9, r[2],
                                                       key_text(flow_key(r[3], ohdr["linktype"]))))
        for r in sorted(g - w)[:10]:
            ERR.append("  extra t=%d.%09d len=%d" % (r[0] // 10**9, r[0] % 10**9, r[2]))
    print("merged: %s has %d packets" % (snap, len(recs)))


def cmd_same(a, b):
    _, ra = read_pcap(a)
    _, rb = read_pcap(b)
    need([rec_id(r) for r in ra] == [rec_id(r) for r in rb],
         "%s (%d packets) and %s (%d packets) differ" % (a, len(ra), b, len(rb)))


def cmd_empty(path):
    hdr, recs = read_pcap(path)
    need(not recs and hdr["size"] == 24, "%s: %d records, %d bytes; expected a bare header" %
         (path, len(recs), hdr["size"]))
    need(hdr["snaplen"] == 262144, "%s: snaplen %d" % (path, hdr["snaplen"]))


def rfc3339nano(epoch):
    sec, _, frac = epoch.partition(".")
    t = datetime.datetime.fromtimestamp(int(sec), datetime.timezone.utc)
    frac = (frac + "000000000")[:9].rstrip("0")
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ("." + frac if frac else "") + "Z"


def cmd_packets(orig, log):
    out = subprocess.run(["tshark", "-r", orig, "-T", "fields", "-e", "frame.time_epoch",
                          "-e", "frame.len", "-e", "frame.cap_len"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True,
                         universal_newlines=True).stdout.split("\n")
    frames = [l.split("\t") for l in out if l.strip()]
    infos = []
    for line in open(log, encoding="utf-8"):
        m = re.search(r"\bPKT (\{.*\})$", line.rstrip("\n"))
        if m:
            infos.append(json.loads(m.group(1)))
    need(len(infos) == len(frames), "%d onPacketCaptured calls, tshark sees %d packets" %
         (len(infos), len(frames)))
    bad = 0
    for i, (fr, info) in enumerate(zip(frames, infos)):
        want = {"timestamp": rfc3339nano(fr[0]), "captureLength": int(fr[2]),
                "length": int(fr[1]), "truncated": int(fr[2]) < int(fr[1]),
                "fragmented": False}
        if info != want:
            bad += 1
            if bad <= 5:
                ERR.append("packet #%d: hook got %s, tshark says %s" %
                           (i + 1, json.dumps(info, sort_keys=True), json.dumps(want, sort_keys=True)))
    need(bad == 0, "%d packets with wrong values" % bad)
    print("packets: %d, truncated %d" % (len(infos), sum(1 for x in infos if x.get("truncated"))))


def main():
    a = sys.argv[1:]
    cmds = {"streams": (cmd_streams, 2), "merged": (cmd_merged, 2), "same": (cmd_same, 2),
            "empty": (cmd_empty, 1), "packets": (cmd_packets, 2)}
    if a and a[0] == "count" and len(a) == 2:
        print(len(read_pcap(a[1])[1]))
        return 0
    if not a or a[0] not in cmds or len(a) - 1 != cmds[a[0]][1]:
        print(__doc__, file=sys.stderr)
        return 2
    cmds[a[0]][0](*a[1:])
    for e in ERR:
        print("e2e_pcap: " + e, file=sys.stderr)
    return 1 if ERR else 0


if __name__ == "__main__":
    sys.exit(main())
