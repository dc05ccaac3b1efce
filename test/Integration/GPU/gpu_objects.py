#!/usr/bin/env python3
"""Extracts the objects (PTX text or cubin) embedded in the gpu.binary ops
that mmfree-opt prints, and checks PTX kernels' loops.

  gpu_objects.py extract IN.mlir OUT [NAME]  # object of binary NAME (or
                                             # the first), decoded, to OUT
  gpu_objects.py loops IN.ptx            # per loop: instruction counts

`loops` prints one line per loop (a label reached by a backward branch):
  loop <kernel> <label>: <n> instructions, mul=<k> mad=<k> fma=<k> dp4a=<k>
where mul/mad/fma/dp4a count instructions with those opcodes (any type);
`--forbid OPS` (comma separated) makes it exit 1 when an inner loop (one
holding no other loop) uses one of OPS.
"""
import re
import sys


def decode(s):
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\":
            nxt = s[i + 1]
            if nxt in "\\\"":
                out.append(ord(nxt))
                i += 2
            elif nxt == "n":
                out.append(10)
                i += 2
            elif nxt == "t":
                out.append(9)
                i += 2
            else:
                out.append(int(s[i + 1:i + 3], 16))
                i += 3
        else:
            out += c.encode("utf-8")
            i += 1
    return bytes(out)


def extract(text, name=""):
    start = text.find("gpu.binary @" + name)
    if start < 0:
        sys.exit("no gpu.binary found")
    # The object is the longest string of the first binary (the target's
    # chip and features are short strings before it).
    line = text[start:text.find("\n", start)]
    strings = re.findall(r'"((?:[^"\\]|\\.)*)"', line)
    return decode(max(strings, key=len))


def loops(ptx):
    """(kernel, label, body lines, inner) for each backward-branch loop."""
    found = []
    for km in re.finditer(r"\.entry\s+(\w+)\s*\((.*?)\n}\n", ptx, re.S):
        name, body = km.group(1), km.group(0)
        lines = body.split("\n")
        labels = {}
        spans = []
        for i, line in enumerate(lines):
            lm = re.match(r"^\s*(\$L__\w+):", line)
            if lm:
                labels[lm.group(1)] = i
            bm = re.search(r"\bbra(?:\.uni)?\s+(\$L__\w+);", line)
            if bm and bm.group(1) in labels and labels[bm.group(1)] < i:
                spans.append((bm.group(1), labels[bm.group(1)], i))
        # A loop ends at its last backward branch.
        ends = {}
        for label, start, end in spans:
            ends[label] = (start, max(end, ends.get(label, (0, 0))[1]))
        for label, (start, end) in ends.items():
            inner = not any(s > start and e < end for s, e in ends.values())
            found.append((name, label, lines[start:end + 1], inner))
    return found


def count(lines, op):
    return sum(1 for l in lines if re.match(r"^\s*(@%p\d+\s+)?" + op + r"\.",
                                            l.strip()))


def main():
    cmd = sys.argv[1]
    if cmd == "extract":
        data = extract(open(sys.argv[2]).read(),
                       sys.argv[4] + " " if len(sys.argv) > 4 else "")
        open(sys.argv[3], "wb").write(data)
        return 0
    forbid = []
    if "--forbid" in sys.argv:
        forbid = sys.argv[sys.argv.index("--forbid") + 1].split(",")
    ptx = open(sys.argv[2]).read()
    bad = 0
    for name, label, lines, inner in loops(ptx):
        insts = [l for l in lines if l.strip().endswith(";")]
        counts = {op: count(insts, op) for op in ("mul", "mad", "fma", "dp4a")}
        print("loop %s %s%s: %d instructions, %s" % (
            name, label, " (inner)" if inner else "", len(insts),
            " ".join("%s=%d" % kv for kv in counts.items())))
        if inner and any(counts.get(op, 0) or count(insts, op) for op in forbid):
            print("error: %s loop %s uses %s" % (name, label, forbid))
            bad = 1
    return bad


if __name__ == "__main__":
    sys.exit(main())
