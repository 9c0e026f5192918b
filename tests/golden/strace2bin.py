#!/usr/bin/env python3
"""Cut the raw netlink messages out of the strace captures in a golden directory.

For every NAME.strace in DIR this writes NAME.N.req.bin (what ipvsadm sent: sendmsg/sendto) and
NAME.N.resp.bin (what the kernel answered: recvmsg/recvfrom), N counting the kept syscalls of that
file from 0 in order, plus NAME.index (one line per file: N kind syscall bytes).

The bytes come from strace's full hex dumps (-e read=all -e write=all), not from the quoted
"\\x.." string on the syscall line: strace decodes the netlink header into fields and only quotes
the rest, so the dump is the one exact copy of the whole datagram. recvmsg calls with MSG_PEEK
(libnl peeks to size its buffer, then reads the same datagram again) are skipped so every answer
appears once. Syscalls that failed (= -1) carry no data and are skipped too.

Usage: strace2bin.py DIR [DIR...]
"""
import glob
import os
import re
import sys

CALL = re.compile(r"^(?:\[pid\s+\d+\]\s+|\d+\s+)?(sendmsg|sendto|recvmsg|recvfrom)\((.*)\)\s+=\s+(-?\d+)")
DUMP = re.compile(r"^(?:\[pid\s+\d+\]\s+|\d+\s+)?\s*\| ([0-9a-f]{5})  (.{1,49})")
BUFHDR = re.compile(r"^(?:\[pid\s+\d+\]\s+|\d+\s+)?\s*\* (\d+) bytes in buffer (\d+)")


def parse(path):
    """Yield (syscall, args, retval, bytes) for each traced call, bytes from its hex dump."""
    current = None
    data = bytearray()
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = CALL.match(line)
            if m:
                if current:
                    yield (*current, bytes(data))
                current = (m.group(1), m.group(2), int(m.group(3)))
                data = bytearray()
                continue
            m = DUMP.match(line)
            if m and current:
                offset = int(m.group(1), 16)
                if offset != len(data):
                    raise ValueError(f"{path}: dump offset {offset:#x} != {len(data):#x}: {line}")
                data += bytes.fromhex(" ".join(re.findall(r"[0-9a-f]{2}", m.group(2))))
                continue
            if BUFHDR.match(line):
                continue
            if current and line and not line.startswith((" ", "+++", "---")):
                yield (*current, bytes(data))
                current = None
                data = bytearray()
    if current:
        yield (*current, bytes(data))


def convert(directory):
    for old in glob.glob(os.path.join(directory, "*.bin")) + glob.glob(os.path.join(directory, "*.index")):
        os.remove(old)
    total = 0
    for path in sorted(glob.glob(os.path.join(directory, "*.strace"))):
        name = os.path.basename(path)[: -len(".strace")]
        index = []
        n = 0
        for call, args, ret, data in parse(path):
            if ret < 0:
                continue
            if call.startswith("recv") and "MSG_PEEK" in args:
                continue
            if len(data) != ret:
                raise ValueError(f"{path}: {call} returned {ret} but dumped {len(data)} bytes")
            kind = "req" if call.startswith("send") else "resp"
            with open(os.path.join(directory, f"{name}.{n}.{kind}.bin"), "wb") as out:
                out.write(data)
            index.append(f"{n} {kind} {call} {len(data)}")
            n += 1
        with open(os.path.join(directory, f"{name}.index"), "w") as out:
            out.write("\n".join(index) + ("\n" if index else ""))
        total += n
    print(f"strace2bin: {directory}: {total} messages")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for d in sys.argv[1:]:
        convert(d)
