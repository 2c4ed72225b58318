#!/usr/bin/python3
"""bench/perf_summary.py - read `perf script` output (recorded with
--call-graph dwarf) on stdin and print three top-N tables:

  self     where the CPU is, by function (library code without symbols is
           shown as its library: Debian's libxapian is stripped)
  ours     inclusive time of the project's own functions (a function of
           PROGRAM, the binary named on the command line, counted once per
           sample however deep it recurses)
  blame    every sample charged to the innermost project function on its
           stack, with the library the sample was in (the leaf), so
           that time inside Xapian or zlib lands on the call of ours that
           caused it

    perf script -i perf.data | perf_summary.py PROGRAM [N]
"""
import collections
import re
import sys

SKIP = {'main', '_start', '__libc_start_main', '__libc_start_call_main',
        '__libc_start_main_impl', '__libc_start_main@@GLIBC_2.34'}
# Template and inline code of libraries compiled into PROGRAM: not ours.
LIBRARY = re.compile(r'^(std::|__gnu_cxx::|__|Xapian::|operator )')
FRAME = re.compile(r'^\s+([0-9a-f]+)\s+(.+?)\s+\((.+)\)\s*$')


def short(sym, dso):
    lib = dso.rsplit('/', 1)[-1]
    if sym.startswith('[unknown]') or re.match(r'^0x[0-9a-f]+$', sym):
        return '(%s)' % lib
    sym = re.sub(r'\+0x[0-9a-f]+$', '', sym)
    sym = sym.replace(' (inlined)', '')
    if len(sym) > 70:
        sym = sym[:67] + '...'
    return sym


def main(argv):
    prog = argv[1]
    top = int(argv[2]) if len(argv) > 2 else 10
    selfc = collections.Counter()
    incl = collections.Counter()
    blame = collections.Counter()
    n = 0
    stack = []

    def flush():
        nonlocal n
        if not stack:
            return
        n += 1
        # An inlined frame is listed (dso "inlined") above the real frame
        # it was inlined into: it belongs to that frame's binary.
        real = None
        for i in range(len(stack) - 1, -1, -1):
            if stack[i][1] == 'inlined':
                if real:
                    stack[i] = (stack[i][0], real)
            else:
                real = stack[i][1]
        sym, dso = stack[0]
        selfc[short(sym, dso)] += 1
        seen = set()
        inner = None
        for i, (s, d) in enumerate(stack):
            if d.rsplit('/', 1)[-1] == prog and not LIBRARY.match(s):
                f = short(s, d)
                if f not in seen:
                    seen.add(f)
                    incl[f] += 1
                if inner is None:
                    inner = (f, stack[i - 1] if i else None)
        if inner:
            f, callee = inner
            leaf = stack[0][1].rsplit('/', 1)[-1]
            via = 'itself' if callee is None else 'in ' + leaf
            blame['%s -> %s' % (f, via)] += 1
        else:
            blame['(outside %s: %s)' % (prog, dso.rsplit('/', 1)[-1])] += 1

    for line in sys.stdin:
        if not line.strip():
            flush()
            stack = []
            continue
        m = FRAME.match(line)
        if m:
            stack.append((m.group(2), m.group(3)))
    flush()
    for title, c in (('self time', selfc),
                     ('inclusive time of %s functions' % prog, incl),
                     ('time charged to the innermost %s function' % prog,
                      blame)):
        print('\n%s (%d samples):' % (title, n))
        shown = 0
        for k, v in c.most_common():
            if k in SKIP:
                continue
            shown += 1
            if shown > top:
                break
            print('  %5.1f%%  %s' % (100.0 * v / n, k))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
