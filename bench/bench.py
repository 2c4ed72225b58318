#!/usr/bin/python3
"""bench/bench.py - wiresearch against its peers, in one run (`make bench`).

Run through bench/run.sh, which checks the packages and builds
bench/wire-bench-queries first.  Environment:

  BENCH_DIR        work directory (default /tmp/wire-bench): converted
                   corpora, indexes, logs, results.json, report.md
  BENCH_CORPUS     the Reuters-21578 directory (default
                   ../shared/corpus/reuters21578 next to the repository)
  BENCH_SCALES     corpus sizes to measure (default "1 10")
  BENCH_BUILD_RUNS runs per build at 1x (default 5, after 1 warm-up)
  BENCH_BUILD_RUNS_10X  runs per build at 10x (default 3, no warm-up) of
                   ours -j2 (the target's), FTS5 and Groonga;
                   BENCH_BUILD_RUNS_10X_SLOW (default 1) of ours -j1 and
                   scriptindex, which take minutes each at 10x
  BENCH_QUERY_RUNS runs per query and engine at 1x (default 7, 2 warm-ups);
                   at 10x BENCH_QUERY_RUNS_10X (default 5, 1 warm-up)
  BENCH_TPUT_SECONDS  seconds of one throughput round (default 1; 5 rounds
                   after a warm-up round, median)
  BENCH_ONLY       the measurements to run, of: builds latency web tput
                   counts floors (default all of them).  Without `builds` the
                   indexes (and c*/stats.json) a previous full run left in
                   BENCH_DIR are used as they are, e.g.
                     BENCH_ONLY=web bench/bench.py
                   for the "per request through a web server" tables alone.
                   A partial run prints no targets and writes
                   report-ONLY.md and results-ONLY.json (e.g. report-web.md),
                   leaving the full run's report.md and results.json alone.

Nothing here is committed data: the corpus is read from BENCH_CORPUS and
everything derived goes under BENCH_DIR.
"""
import datetime
import hashlib
import http.client
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(REPO, 'bench')
B = os.path.abspath(os.environ.get('BENCH_DIR', '/tmp/wire-bench'))
CORPUS = os.path.abspath(os.environ.get(
    'BENCH_CORPUS',
    os.path.join(REPO, '..', 'shared', 'corpus', 'reuters21578')))
SCALES = [int(s) for s in os.environ.get('BENCH_SCALES', '1 10').split()]
BUILD_RUNS = {1: int(os.environ.get('BENCH_BUILD_RUNS', '5'))}
BUILD_RUNS_SLOW = {1: BUILD_RUNS[1]}
BUILD_WARM = {1: 1}
QUERY_RUNS = {1: int(os.environ.get('BENCH_QUERY_RUNS', '7'))}
QUERY_WARM = {1: 2}
for _s in SCALES:
    if _s != 1:
        BUILD_RUNS[_s] = int(os.environ.get('BENCH_BUILD_RUNS_10X', '3'))
        BUILD_RUNS_SLOW[_s] = int(os.environ.get('BENCH_BUILD_RUNS_10X_SLOW',
                                                 '1'))
        BUILD_WARM[_s] = 0
        QUERY_RUNS[_s] = int(os.environ.get('BENCH_QUERY_RUNS_10X', '5'))
        QUERY_WARM[_s] = 1
TPUT_SECONDS = float(os.environ.get('BENCH_TPUT_SECONDS', '1'))
# `make bench` must finish within 20 minutes: the 10x build runs are cut
# down when the 1x figures say they would not fit in BUDGET seconds.
BUDGET = float(os.environ.get('BENCH_BUDGET', '1140'))
TPUT_ROUNDS = 5
MEASURES = ('builds', 'latency', 'web', 'tput', 'counts', 'floors')
_ONLY = os.environ.get('BENCH_ONLY', '').replace(',', ' ').split()
if set(_ONLY) - set(MEASURES):
    raise SystemExit('bench: BENCH_ONLY: unknown %s (of: %s)' % (
        ' '.join(sorted(set(_ONLY) - set(MEASURES))), ' '.join(MEASURES)))
ONLY = set(_ONLY) or set(MEASURES)
PARTIAL = ONLY != set(MEASURES)
_SUFFIX = '-' + '-'.join(m for m in MEASURES if m in ONLY) if PARTIAL else ''
REPORT = 'report%s.md' % _SUFFIX
RESULTS = 'results%s.json' % _SUFFIX

WIRE_INDEX = os.path.join(REPO, 'build', 'wire-index')
WIRE_SEARCH = os.path.join(REPO, 'build', 'wire-search')
WIRE_CGI = os.path.join(REPO, 'build', 'wire-search.cgi')
LIGHTTPD = shutil.which('lighttpd') or '/usr/sbin/lighttpd'
WIRE_BENCHQ = os.path.join(B, 'wire-bench-queries')
SYNONYMS = os.path.join(REPO, 'common', 'synonyms.txt')
OMEGA_CGI = '/usr/lib/cgi-bin/omega/omega'
PY = '/usr/bin/python3'   # Debian's: python3-xapian is installed for it
PEERQ = os.path.join(BENCH, 'peer_queries.py')
WRITER_FLOOR = os.path.join(BENCH, 'writer_floor.py')
FLOOR_RUNS = 3
CONVERT = os.path.join(BENCH, 'convert.py')

QUERIES = ['"crude oil"', '"trade deficit"', '"Federal Reserve"',
           '"West German"', 'cocoa', 'OPEC', 'oil AND prices NOT gold',
           '"bank of japan"', 'beryllium', 'said']
PHRASES = [q for q in QUERIES if q.startswith('"')]

# Targets of the issue.
T_LATENCY = 1.0     # ours <= fastest peer, every query
T_TPUT = 1.3        # ours >= 1.3 x best peer
T_BUILD = 2.0       # ours -j2 <= 2 x FTS5 wall time
T_SIZE = 2.5        # index bytes <= 2.5 x raw title+body bytes
T_MEM_MB = 256      # peak memory of a bulk rebuild < 256 MB

OMEGA_SCRIPT = """id : field boolean=Q unique=Q
title : field=title index=S weight=3 index
body : field=body index
"""
# A minimal Omega template: 10 hits, id, title and a snippet of the body
# (what our --json prints, roughly).
OMEGA_TEMPLATE = """$set{HITSPERPAGE,10}$msize matches
$hitlist{$field{id} $percentage% $html{$field{title}}
$snippet{$field{body},240}
}
"""
FTS5_SQL = """CREATE VIRTUAL TABLE t USING fts5(id UNINDEXED, title, body);
BEGIN;
.import --csv {csv} t
COMMIT;
INSERT INTO t(t) VALUES('optimize');
INSERT INTO t(t, rank) VALUES('rank', 'bm25(0.0, 3.0, 1.0)');
"""
GROONGA_SCHEMA = """table_create Docs TABLE_HASH_KEY ShortText
column_create Docs title COLUMN_SCALAR ShortText
column_create Docs body COLUMN_SCALAR LongText
"""
# The index is created after the load: groonga's fast (static) path.
GROONGA_INDEX = """table_create Terms TABLE_PAT_KEY ShortText \
--default_tokenizer TokenBigram --normalizer NormalizerAuto
column_create Terms idx COLUMN_INDEX|WITH_POSITION|WITH_SECTION Docs title,body
"""

report = []      # the tables, in Markdown, for report.md
results = {}     # everything measured, for results.json
notes = []       # what the reader of the tables must know


T0 = time.perf_counter()


def say(*a):
    print(*a, flush=True)


def stage(msg):
    say('\n[%4.0f s] == %s' % (time.perf_counter() - T0, msg))


def out(line=''):
    """A line of the final report (printed now, and kept)."""
    report.append(line)
    print(line, flush=True)


def note(s):
    notes.append(s)
    say('note: ' + s)


def sh(cmd, **kw):
    return subprocess.run(cmd, **kw)


def median(xs):
    return statistics.median(xs) if xs else float('nan')


def disk_bytes(path):
    """Bytes allocated on disk (groonga's files are sparse)."""
    if os.path.isfile(path):
        return os.stat(path).st_blocks * 512
    total = 0
    for d, _, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(d, f)).st_blocks * 512
            except FileNotFoundError:
                pass
    return total


def pct_over(ratio, target):
    return (ratio / target - 1) * 100


# ---------------------------------------------------------------------------
# Machine and tools

def machine():
    model = ''
    try:
        for line in sh(['lscpu'], capture_output=True, text=True).stdout.splitlines():
            if line.startswith('Model name'):
                model = line.split(':', 1)[1].strip()
    except OSError:
        pass
    mem = 0
    with open('/proc/meminfo') as f:
        for line in f:
            if line.startswith('MemTotal:'):
                mem = int(line.split()[1]) // 1024
    m = {'nproc': os.cpu_count(), 'cpu': model, 'ram_mb': mem,
         'date': datetime.datetime.now(datetime.timezone.utc).strftime(
             '%Y-%m-%d %H:%M UTC'),
         'kernel': platform.release(),
         'load_at_start': os.getloadavg()[0]}
    vers = {}
    for name, cmd in (('sqlite3', ['sqlite3', '--version']),
                      ('xapian', ['quest', '--version']),
                      ('groonga', ['groonga', '--version'])):
        try:
            vers[name] = sh(cmd, capture_output=True, text=True).stdout.splitlines()[0]
        except (OSError, IndexError):
            vers[name] = None
    m['versions'] = vers
    return m


def have(cmd):
    return shutil.which(cmd) is not None


def check_tools():
    t = {}
    r = sh(['sqlite3', ':memory:', 'PRAGMA compile_options'],
           capture_output=True, text=True)
    t['fts5'] = 'ENABLE_FTS5' in r.stdout
    if not t['fts5']:
        note('the sqlite3 CLI has no FTS5: FTS5 is left out')
    t['omega'] = have('scriptindex') and os.access(OMEGA_CGI, os.X_OK)
    t['quest'] = have('quest')
    t['groonga'] = have('groonga')
    t['lighttpd'] = os.access(LIGHTTPD, os.X_OK)
    if not t['groonga']:
        note('groonga is not installed (Debian 12 ships groonga-bin; '
             'tools/deps.sh bench installs it): Groonga is left out')
    r = sh([PY, '-c', 'import xapian'], capture_output=True)
    t['pyxapian'] = r.returncode == 0
    if not t['pyxapian']:
        note('python3-xapian is missing: no in-process Xapian throughput')
    usage = sh([WIRE_INDEX, '--help'], capture_output=True, text=True).stdout
    t['rebuild'] = bool(re.search(r'wire-index rebuild', usage))
    if not t['rebuild']:
        note('`wire-index rebuild` is not there yet: our bulk build is '
             '`wire-index --db X --batch 5000 PATH` (one process)')
    return t


def reuters_reader_works():
    """Whether wire-index reads Reuters SGML itself (else we feed it
    one plain-text file per dispatch, made by convert.py)."""
    probe = os.path.join(B, 'probe')
    shutil.rmtree(probe, ignore_errors=True)
    os.makedirs(probe)
    sample = os.path.join(REPO, 'corpus', 'sgml', 'wire-sample.sgm')
    r = sh([WIRE_INDEX, '--db', os.path.join(probe, 'db'), '-q', sample],
           capture_output=True, text=True)
    ok = r.returncode in (0, 3) and 'not available' not in r.stderr
    if ok:
        s = sh([WIRE_INDEX, 'stats', '--db', os.path.join(probe, 'db'),
                '--json'], capture_output=True, text=True)
        try:
            ok = json.loads(s.stdout).get('documents', 0) > 0
        except ValueError:
            ok = False
    shutil.rmtree(probe, ignore_errors=True)
    return ok


# ---------------------------------------------------------------------------
# Conversion (once; reused while the corpus and the converter are unchanged)

def stamp_of(txt):
    h = hashlib.sha1()
    with open(CONVERT, 'rb') as f:
        h.update(f.read())
    for name in sorted(os.listdir(CORPUS)):
        if name.endswith('.sgm'):
            st = os.stat(os.path.join(CORPUS, name))
            h.update(('%s %d %d;' % (name, st.st_size, int(st.st_mtime))).encode())
    h.update(b'txt' if txt else b'-')
    return h.hexdigest()


def convert(scales, txt):
    """SGML copies and each peer's input, per scale, under B/cN/."""
    for n in scales:
        c = os.path.join(B, 'c%d' % n)
        st = os.path.join(c, 'stamp')
        want = stamp_of(txt) + ' %d' % n
        if os.path.exists(st) and open(st).read() == want:
            say('convert: %dx corpus reused from %s' % (n, c))
            continue
        shutil.rmtree(c, ignore_errors=True)
        t0 = time.perf_counter()
        sh([PY, CONVERT, 'copies', CORPUS, os.path.join(c, 'sgm'), str(n)],
           check=True)
        sh([PY, CONVERT, 'peers', os.path.join(c, 'sgm'), c] +
           (['--txt'] if txt else []), check=True)
        with open(os.path.join(c, 'groonga-build.grn'), 'w') as f:
            f.write(GROONGA_SCHEMA)
            with open(os.path.join(c, 'groonga.grn')) as g:
                shutil.copyfileobj(g, f)
            f.write(GROONGA_INDEX)
        os.unlink(os.path.join(c, 'groonga.grn'))
        with open(os.path.join(c, 'fts5.sql'), 'w') as f:
            f.write(FTS5_SQL.replace('{csv}', os.path.join(c, 'fts5.csv')))
        with open(os.path.join(c, 'omega.script'), 'w') as f:
            f.write(OMEGA_SCRIPT)
        with open(st, 'w') as f:
            f.write(want)
        say('convert: %dx corpus in %.1f s (not measured)' % (
            n, time.perf_counter() - t0))


# ---------------------------------------------------------------------------
# Builds

class TreeMemory(threading.Thread):
    """Peak of the summed PSS of a process and its descendants, sampled
    every 50 ms (rebuild -jN forks workers: GNU time's %M is only the
    largest single process)."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.stop = False

    def tree(self, pid, acc):
        acc.append(pid)
        try:
            for t in os.listdir('/proc/%d/task' % pid):
                with open('/proc/%d/task/%s/children' % (pid, t)) as f:
                    for c in f.read().split():
                        self.tree(int(c), acc)
        except OSError:
            pass
        return acc

    def run(self):
        while not self.stop:
            total = 0
            for p in self.tree(self.pid, []):
                try:
                    with open('/proc/%d/smaps_rollup' % p) as f:
                        for line in f:
                            if line.startswith('Pss:'):
                                total += int(line.split()[1])
                                break
                except OSError:
                    pass
            self.peak_kb = max(self.peak_kb, total)
            time.sleep(0.05)


def timed(cmd, log, stdin=None, env=None, cwd=None):
    """Run CMD under /usr/bin/time: wall, cpu (user+sys) seconds, peak MB."""
    tf = log + '.time'
    with open(log, 'w') as lf:
        p = subprocess.Popen(['/usr/bin/time', '-o', tf, '-f', '%e %U %S %M']
                             + cmd, stdin=stdin, stdout=lf, stderr=lf,
                             env=env, cwd=cwd)
        mon = TreeMemory(p.pid)
        mon.start()
        rc = p.wait()
        mon.stop = True
        mon.join()
    fields = open(tf).read().split()[-4:]
    wall, user, sys_, maxrss = (float(x) for x in fields)
    return rc, {'wall': wall, 'cpu': user + sys_,
                'peak_mb': max(maxrss, mon.peak_kb) / 1024}


def build_engines(tools):
    e = []
    if tools['rebuild']:
        e += [('ours -j1', 'ours-j1'), ('ours -j2', 'ours-j2')]
    else:
        e += [('ours --batch 5000', 'ours')]
    if tools['fts5']:
        e.append(('SQLite FTS5', 'fts5'))
    if tools['omega']:
        e.append(('Omega scriptindex', 'omega'))
    if tools['groonga']:
        e.append(('Groonga', 'groonga'))
    return e


def build_once(key, n, ours_input):
    c = os.path.join(B, 'c%d' % n)
    idx = os.path.join(B, 'idx%d' % n)
    os.makedirs(os.path.join(idx, 'logs'), exist_ok=True)
    dest = os.path.join(idx, key)
    shutil.rmtree(dest, ignore_errors=True)
    if os.path.exists(dest):
        os.unlink(dest)
    log = os.path.join(idx, 'logs', key + '.log')
    stdin = None
    if key == 'ours':
        cmd = [WIRE_INDEX, '--db', dest, '--batch', '5000', '-q', ours_input]
    elif key.startswith('ours-j'):
        cmd = [WIRE_INDEX, 'rebuild', '--db', dest, '-' + key[5:], '-q',
               ours_input]
    elif key == 'fts5':
        cmd = ['sqlite3', dest]
        stdin = open(os.path.join(c, 'fts5.sql'))
    elif key == 'omega':
        cmd = ['scriptindex', dest, os.path.join(c, 'omega.script'),
               os.path.join(c, 'omega.txt')]
    elif key == 'groonga':
        os.makedirs(dest)
        cmd = ['groonga', '-n', os.path.join(dest, 'db')]
        stdin = open(os.path.join(c, 'groonga-build.grn'))
    rc, m = timed(cmd, log, stdin=stdin)
    if stdin:
        stdin.close()
    # 3: ours skipped some input (reported in the log): still a build.
    if rc not in (0, 3) or (key == 'groonga' and '[[-' in open(log).read()):
        raise SystemExit('bench: %s build failed (exit %d), see %s' % (
            key, rc, log))
    m['size'] = disk_bytes(dest)
    m['rc'] = rc
    return m


SLOW_BUILDS = ('ours-j1', 'omega')
SKIP_BUILDS = {}


def bench_builds(n, engines, ours_input, raw):
    runs, warm = BUILD_RUNS[n], BUILD_WARM[n]
    slow = min(BUILD_RUNS_SLOW[n], runs)
    engines = [e for e in engines if e[1] not in SKIP_BUILDS.get(n, ())]
    slow_names = ' and '.join(nm for nm, k in engines if k in SLOW_BUILDS)
    stage('builds at %dx: %d warm-up + %d runs each%s, alternating' % (
        n, warm, runs, '' if slow == runs else
        ' (%d of %s)' % (slow, slow_names)))
    if slow != runs:
        note('at %dx, %s: %d run(s), the others %d, without warm-up, to keep '
             '`make bench` under 20 minutes' % (n, slow_names, slow, runs))
    data = {k: [] for _, k in engines}
    for r in range(warm + runs):
        for name, k in engines:
            if k in SLOW_BUILDS and r >= warm + slow:
                continue
            m = build_once(k, n, ours_input)
            tag = 'warm-up' if r < warm else 'run %d' % (r - warm + 1)
            say('  %-18s %-8s wall %7.2f s  cpu %7.2f s  peak %6.1f MB  '
                'size %7.1f MB' % (name, tag, m['wall'], m['cpu'],
                                   m['peak_mb'], m['size'] / 1e6))
            if r >= warm:
                data[k].append(m)
    res = {}
    for name, k in engines:
        ms = data[k]
        res[k] = {'name': name, 'runs': len(ms),
                  'wall': median([m['wall'] for m in ms]),
                  'cpu': median([m['cpu'] for m in ms]),
                  'peak_mb': max(m['peak_mb'] for m in ms),
                  'size': ms[-1]['size'],
                  'size_ratio': ms[-1]['size'] / raw,
                  'all_wall': [m['wall'] for m in ms]}
    return res


def print_builds(n, res, ours_key, docs, raw):
    o = res[ours_key]
    out()
    out('### Bulk build, %dx (%d dispatches, %.1f MB of title+body), '
        'median of %d runs' % (n, docs, raw / 1e6, o['runs']))
    out()
    out('Wall and CPU (user+sys) seconds: GNU time; peak MB: the larger of '
        'GNU time\'s max RSS and the summed PSS of the process tree sampled '
        'every 50 ms; index MB: bytes allocated on disk.')
    out()
    out('"ours/peer" compares %s with that row.' % o['name'])
    out()
    out('| engine | wall s | ours/peer | CPU s | ours/peer | peak MB | '
        'ours/peer | index MB | index/raw | ours/peer |')
    out('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
    for k, r in res.items():
        out('| %s%s | %.2f | %.2f | %.2f | %.2f | %.1f | %.2f | %.1f | %.2f | '
            '%.2f |' % (r['name'], '' if r['runs'] == o['runs'] else
                        ' (%d run%s)' % (r['runs'], 's'[:r['runs'] > 1]),
                        r['wall'], o['wall'] / r['wall'],
                        r['cpu'], o['cpu'] / r['cpu'], r['peak_mb'],
                        o['peak_mb'] / r['peak_mb'], r['size'] / 1e6,
                        r['size_ratio'], o['size'] / r['size']))


# ---------------------------------------------------------------------------
# Per-process query latency

def omega_setup(n):
    """The omega CGI's configuration file and template (DB=omega is
    idxN/omega); returns the configuration file's path."""
    idx = os.path.join(B, 'idx%d' % n)
    conf = os.path.join(idx, 'omega.conf')
    tpl = os.path.join(B, 'omega-templates')
    os.makedirs(tpl, exist_ok=True)
    with open(os.path.join(tpl, 'query'), 'w') as f:
        f.write(OMEGA_TEMPLATE)
    os.makedirs(os.path.join(idx, 'omega-log'), exist_ok=True)
    with open(conf, 'w') as f:
        f.write('database_dir %s\ntemplate_dir %s\nlog_dir %s\n'
                'cdb_dir %s\n' % (idx, tpl, os.path.join(idx, 'omega-log'),
                                  os.path.join(idx, 'omega-log')))
    return conf


def query_commands(n, tools, ours_db):
    idx = os.path.join(B, 'idx%d' % n)
    env_ours = dict(os.environ, WIRE_SYNONYMS=SYNONYMS)
    if tools['omega']:
        conf = omega_setup(n)
    engines = []

    def ours(q):
        if q is START:
            return [WIRE_SEARCH, '--version'], env_ours, None
        return [WIRE_SEARCH, '--db', ours_db, '--json', '--limit', '10', q], \
            env_ours, None
    engines.append(('ours', ours))
    if tools['quest'] and tools['omega']:
        engines.append(('quest', lambda q: (
            ['quest', '--version'] if q is START else
            ['quest', '-d', os.path.join(idx, 'omega'), '-m', '10', q],
            None, None)))
    if tools['omega']:
        def omega(q):
            env = dict(os.environ, OMEGA_CONFIG_FILE=conf,
                       REQUEST_METHOD='GET', GATEWAY_INTERFACE='CGI/1.1',
                       QUERY_STRING=urllib.parse.urlencode(
                           {'DB': 'omega', 'P': q}))
            return [OMEGA_CGI], env, None
        engines.append(('omega CGI', omega))
    if tools['fts5']:
        def fts5(q):
            sql = ("SELECT id, title, snippet(t, 2, '[', ']', '...', 32) "
                   "FROM t WHERE t MATCH '%s' ORDER BY rank LIMIT 10;"
                   % q.replace("'", "''"))
            return ['sqlite3', '-readonly', os.path.join(idx, 'fts5'), sql], \
                None, None
        engines.append(('sqlite3 FTS5', fts5))
    if tools['groonga']:
        sys.path.insert(0, BENCH)
        import peer_queries
        engines.append(('groonga', lambda q: (
            ['groonga', os.path.join(idx, 'groonga', 'db')], None,
            (peer_queries.groonga_select(q, 10) + '\n').encode())))
    return engines


# The process start alone: ours and quest print their version and exit,
# having loaded the same libraries (libxapian, libstdc++) a query needs.
START = object()
STARTERS = ('ours', 'quest')


def run_query_process(name, mk, q, check):
    """Wall ms of one process of engine NAME for Q; with CHECK, its exit
    status and output are checked too."""
    cmd, env, inp = mk(q)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, env=env, input=inp,
                       stdout=subprocess.PIPE if check else subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    el = (time.perf_counter() - t0) * 1000
    if check:
        bad = p.returncode not in (0, 1) if name == 'ours' \
            else p.returncode != 0
        if bad or (name == 'groonga' and b'[[-' in p.stdout):
            raise SystemExit('bench: %s %s failed (exit %d): %s' % (
                name, 'start' if q is START else q, p.returncode,
                (p.stderr or p.stdout)[:300]))
    return el


START_REPS = 5   # starts of ours and quest per round, in turn


def bench_latency(n, engines):
    """Median wall ms of each engine's process for each query, and of the
    start alone (START: --version) of ours and quest, all alternating (the
    starts START_REPS times a round, each of the two first in turn)."""
    runs, warm = QUERY_RUNS[n], QUERY_WARM[n]
    stage('per-process query latency at %dx: %d warm-up + %d runs, '
        'alternating engines' % (n, warm, runs))
    t = {(e, q): [] for e, _ in engines for q in QUERIES + [START]}
    starters = [(nm, mk) for nm, mk in engines if nm in STARTERS]
    for r in range(warm + runs):
        for q in QUERIES:
            for name, mk in engines:
                el = run_query_process(name, mk, q, r == 0)
                if r >= warm:
                    t[(name, q)].append(el)
        for k in range(START_REPS):
            for name, mk in starters[::1 - 2 * (k % 2)]:
                el = run_query_process(name, mk, START, r == 0)
                if r >= warm:
                    t[(name, START)].append(el)
    lat = {e: {q: median(t[(e, q)]) for q in QUERIES} for e, _ in engines}
    start = {e: median(t[(e, START)]) for e, _ in starters}
    return lat, start


def print_latency(n, lat):
    peers = [e for e in lat if e != 'ours']
    out()
    out('### Query latency, one process per query, %dx: median wall ms of '
        '%d runs' % (n, QUERY_RUNS[n]))
    out()
    out('| query | ours | ' + ' | '.join(peers) +
        ' | fastest peer | ours/fastest | ≤ fastest |')
    out('|---|---:|' + '---:|' * len(peers) + '---|---:|---|')
    worst = 0
    missed = []
    for q in QUERIES:
        o = lat['ours'][q]
        best = min(peers, key=lambda e: lat[e][q])
        ratio = o / lat[best][q]
        worst = max(worst, ratio)
        if ratio > T_LATENCY:
            missed.append(q)
        out('| `%s` | %.1f | %s | %s | %.2f | %s |' % (
            q, o, ' | '.join('%.1f' % lat[e][q] for e in peers), best, ratio,
            'yes' if ratio <= T_LATENCY else 'no'))
    return worst, missed


def print_start(n, lat, start):
    """The per-process figures split into the process start (--version:
    exec, the dynamic loader, libxapian's and libstdc++'s initialisation)
    and what follows it (opening the index, the search, the output)."""
    if set(start) != set(STARTERS):
        return
    s_ours, s_quest = start['ours'], start['quest']
    out()
    out('### What a process spends before and after its start, %dx: median '
        'wall ms' % n)
    out()
    out('The start is `wire-search --version` and `quest --version`: the '
        'same exec, dynamic loader and library initialisation as a query, '
        'then exit.  Ours %.2f ms, quest %.2f ms.  Matching quest on a '
        'query leaves our search, snippets and JSON "quest - our start".' % (
            s_ours, s_quest))
    out()
    out('| query | quest | quest after its start | ours | ours after '
        'its start | left for ours by quest | ours after start / left |')
    out('|---|---:|---:|---:|---:|---:|---:|')
    for q in QUERIES:
        qq, o = lat['quest'][q], lat['ours'][q]
        left = qq - s_ours
        out('| `%s` | %.2f | %.2f | %.2f | %.2f | %.2f | %s |' % (
            q, qq, qq - s_quest, o, o - s_ours, left,
            '%.1f×' % ((o - s_ours) / left) if left > 0 else 'nothing left'))


# ---------------------------------------------------------------------------
# Per request through a web server

# One lighttpd on a free loopback port serves the three engines: ours as
# FastCGI (one resident process, mod_fastcgi starts it; it still opens the
# index for each request), the same binary as a plain CGI (mod_cgi, one
# process per request) and the omega CGI (mod_cgi).
# "/fast/" is the FastCGI's prefix: a "/search" prefix would also catch
# "/search.cgi".
WEB_CONF = """server.modules = ("mod_fastcgi", "mod_cgi", "mod_setenv")
server.bind = "127.0.0.1"
server.port = {port}
server.document-root = "{www}"
server.pid-file = "{dir}/lighttpd.pid"
server.errorlog = "{dir}/error.log"
server.max-keep-alive-idle = 60
server.max-keep-alive-requests = 100000
cgi.assign = (".cgi" => "")
$HTTP["url"] == "/search.cgi" {{
  setenv.add-environment = ("WIRE_DB" => "{db}", "WIRE_SYNONYMS" => "{syn}")
}}
$HTTP["url"] == "/omega.cgi" {{
  setenv.add-environment = ("OMEGA_CONFIG_FILE" => "{conf}")
}}
fastcgi.server = ( "/fast/" => ((
  "socket" => "{dir}/fcgi.sock",
  "bin-path" => "{cgi}",
  "max-procs" => 1,
  "check-local" => "disable",
  "bin-environment" => ("WIRE_DB" => "{db}", "WIRE_SYNONYMS" => "{syn}")
)) )
"""


def descendants(pid):
    """The pids of PID's children, grandchildren, ... (from /proc)."""
    acc = []
    try:
        for t in os.listdir('/proc/%d/task' % pid):
            with open('/proc/%d/task/%s/children' % (pid, t)) as f:
                for c in f.read().split():
                    acc.append(int(c))
                    acc += descendants(int(c))
    except OSError:
        pass
    return acc


def alive(pid):
    """Whether PID runs (a zombie does not)."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except (OSError, IndexError):
        return False


class WebServer:
    """lighttpd -D on a free port of 127.0.0.1, in DIR; stop() ends it and
    everything it started (the FastCGI process), by pid."""

    def __init__(self, d, ours_db, omega_conf):
        self.dir = d
        self.proc = None
        self.kids = set()
        shutil.rmtree(d, ignore_errors=True)
        www = os.path.join(d, 'www')
        os.makedirs(www)
        os.symlink(WIRE_CGI, os.path.join(www, 'search.cgi'))
        if omega_conf:
            os.symlink(OMEGA_CGI, os.path.join(www, 'omega.cgi'))
        self.conf = os.path.join(d, 'lighttpd.conf')
        self.settings = dict(www=www, dir=d, db=ours_db, syn=SYNONYMS,
                             conf=omega_conf or '/nonexistent', cgi=WIRE_CGI)

    def log_tail(self, lines=5):
        text = ''
        for name in ('lighttpd.out', 'error.log'):
            try:
                with open(os.path.join(self.dir, name), errors='replace') as f:
                    text += f.read()
            except OSError:
                pass
        return ' / '.join(text.strip().splitlines()[-lines:])

    def start(self):
        """The port it listens on, or None (see log_tail())."""
        for _ in range(3):      # another program may take the port first
            with socket.socket() as s:
                s.bind(('127.0.0.1', 0))
                port = s.getsockname()[1]
            with open(self.conf, 'w') as f:
                f.write(WEB_CONF.format(port=port, **self.settings))
            with open(os.path.join(self.dir, 'lighttpd.out'), 'w') as lf:
                self.proc = subprocess.Popen(
                    [LIGHTTPD, '-D', '-f', self.conf], stdin=subprocess.DEVNULL,
                    stdout=lf, stderr=lf, cwd=self.dir)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    socket.create_connection(('127.0.0.1', port), 0.5).close()
                    self.kids.update(descendants(self.proc.pid))
                    return port
                except OSError:
                    time.sleep(0.05)
            self.stop()
            if 'in use' not in self.log_tail():
                break
        return None

    def stop(self):
        if self.proc is None:
            return
        self.kids.update(descendants(self.proc.pid))
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        # lighttpd stops its FastCGI process itself; make sure of it (the
        # pids are not ours to wait for: poll /proc).
        for sig in (signal.SIGTERM, signal.SIGKILL):
            left = [p for p in self.kids if alive(p)]
            for p in left:
                try:
                    os.kill(p, sig)
                except OSError:
                    pass
            deadline = time.monotonic() + 2
            while left and time.monotonic() < deadline:
                time.sleep(0.02)
                left = [p for p in left if alive(p)]
            if not left:
                break
        self.kids = set()


def bench_web(n, tools, ours_db, expect):
    """Median ms of one request (sent to body read) per engine and query,
    over one keep-alive HTTP/1.1 connection per engine; EXPECT: our
    `--count` per query (the total checked on the phrases).  Returns None
    (after a note) when it cannot be measured."""
    runs, warm = QUERY_RUNS[n], 1
    stage('per request through lighttpd at %dx: %d warm-up + %d runs, '
          'alternating engines' % (n, warm, runs))
    why = None
    if not tools['lighttpd']:
        why = 'lighttpd is not installed (tools/deps.sh bench installs it)'
    elif not os.access(WIRE_CGI, os.X_OK):
        why = '%s is missing (make all)' % WIRE_CGI
    if why:
        note('per request through a web server, %dx: skipped: %s' % (n, why))
        return None
    enc = urllib.parse.urlencode
    engines = [('ours FastCGI', lambda q: '/fast/search?' + enc(
                   {'q': q, 'format': 'json'})),
               ('ours FastCGI facets=0', lambda q: '/fast/search?' + enc(
                   {'q': q, 'format': 'json', 'facets': '0'})),
               ('ours CGI', lambda q: '/search.cgi?' + enc(
                   {'q': q, 'format': 'json'}))]
    conf = None
    if tools['omega']:
        conf = omega_setup(n)
        engines.append(('Omega CGI', lambda q: '/omega.cgi?' + enc(
            {'DB': 'omega', 'P': q})))
    srv = WebServer(os.path.join(B, 'web%d' % n), ours_db, conf)
    t = {(e, q): [] for e, _ in engines for q in QUERIES}
    reopened = {e: -1 for e, _ in engines}    # the first opening is not
    try:
        port = srv.start()
        if port is None:
            note('per request through a web server, %dx: skipped: lighttpd '
                 'did not start: %s' % (n, srv.log_tail() or 'no log'))
            return None
        say('  lighttpd on 127.0.0.1:%d, in %s' % (port, srv.dir))
        conns = {e: http.client.HTTPConnection('127.0.0.1', port, timeout=60)
                 for e, _ in engines}
        for r in range(warm + runs):
            for q in QUERIES:
                for name, path in engines:
                    c = conns[name]
                    if c.sock is None:
                        reopened[name] += 1
                    t0 = time.perf_counter()
                    c.request('GET', path(q))
                    resp = c.getresponse()
                    body = resp.read()
                    el = (time.perf_counter() - t0) * 1000
                    bad = None
                    if resp.status != 200:
                        bad = 'HTTP %d' % resp.status
                    elif r == 0 and name.startswith('ours'):
                        try:
                            j = json.loads(body)
                        except ValueError:
                            j = None
                        if not isinstance(j, dict) or 'total' not in j:
                            bad = 'not a JSON search page'
                        elif j.get('per_page') != 10 or \
                                len(j.get('hits', [])) != min(10, j['total']):
                            bad = 'per_page %s, %d hits of %s' % (
                                j.get('per_page'), len(j.get('hits', [])),
                                j['total'])
                        elif q in PHRASES and expect.get(q) is not None and \
                                j['total'] != expect[q]:
                            bad = 'total %d, wire-search --count %d' % (
                                j['total'], expect[q])
                    elif r == 0 and not re.match(rb'\s*\d+ matches', body):
                        bad = 'not the template\'s page'
                    if bad:
                        note('per request through a web server, %dx: skipped: '
                             '%s %s: %s: %r (server log: %s)' % (
                                 n, name, q, bad, body[:200],
                                 srv.log_tail() or 'empty'))
                        return None
                    if r >= warm:
                        t[(name, q)].append(el)
        for c in conns.values():
            c.close()
    except (OSError, http.client.HTTPException) as e:
        note('per request through a web server, %dx: skipped: %s: %s '
             '(server log: %s)' % (n, type(e).__name__, e,
                                  srv.log_tail() or 'empty'))
        return None
    finally:
        srv.stop()
    for name, k in reopened.items():
        if k:
            note('per request through a web server, %dx: %s: the connection '
                 'was closed and reopened %d time(s)' % (n, name, k))
    return {e: {q: median(t[(e, q)]) for q in QUERIES} for e, _ in engines}


def geomean(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def print_web(n, web):
    names = list(web)
    fc, cgi = 'ours FastCGI', 'ours CGI'
    nf = 'ours FastCGI facets=0'
    om = 'Omega CGI' if 'Omega CGI' in web else None
    out()
    out('### Per request through a web server (lighttpd, keep-alive '
        'HTTP/1.1), %dx: median wall ms of %d runs — not the per-process '
        'target' % (n, QUERY_RUNS[n]))
    out()
    out('Not the issue\'s per-process latency target (that is the '
        'one-process-per-query table above), but what one request costs '
        'behind a real web server: one lighttpd on 127.0.0.1, one keep-alive '
        'connection per engine (python3 http.client), wall time from sending '
        'the request to the body read.  ours FastCGI is `wire-search.cgi` '
        'under mod_fastcgi (one resident process: it pays the process start '
        'once, and opens the index anew for each request); ours CGI is the '
        'same binary under '
        'mod_cgi, and Omega CGI the omega CGI under mod_cgi (a process per '
        'request).  ours answers `format=json`: 10 hits with snippets, the '
        'exact total and the facets, counted over every match (Omega\'s '
        '4-line template has no facets and prints its estimated count); '
        'with `facets=0` the same page without the facets, the closest to '
        'Omega\'s.')
    out()
    out('| query | ' + ' | '.join(names) +
        (' | ours FastCGI / Omega CGI | facets=0 / Omega CGI' if om else '') +
        ' | ours FastCGI / ours CGI |')
    out('|---|' + '---:|' * (len(names) + (3 if om else 1)))
    for q in QUERIES:
        out('| `%s` | %s |%s %.2f |' % (
            q, ' | '.join('%.1f' % web[e][q] for e in names),
            ' %.2f | %.2f |' % (web[fc][q] / web[om][q], web[nf][q] / web[om][q])
            if om else '',
            web[fc][q] / web[cgi][q]))
    g = {}
    pairs = [(fc, om), (nf, om), (fc, cgi), (cgi, om)] if om else [(fc, cgi)]
    for a, b in pairs:
        g['%s / %s' % (a, b)] = geomean([web[a][q] / web[b][q]
                                         for q in QUERIES])
    out()
    out('Geometric mean over the %d queries of the median ratios: %s.' % (
        len(QUERIES), '; '.join('%s %.2f' % kv for kv in g.items())))
    return g


# ---------------------------------------------------------------------------
# In-process throughput

def tput_commands(n, tools, ours_db):
    idx = os.path.join(B, 'idx%d' % n)
    e = [('ours (search_run loop)',
          lambda s: [WIRE_BENCHQ, ours_db, str(s), SYNONYMS, '--'] + QUERIES)]
    if tools['fts5']:
        e.append(('FTS5 (python3 sqlite3)', lambda s: [
            PY, PEERQ, 'fts5', os.path.join(idx, 'fts5'), str(s)] + QUERIES))
    if tools['pyxapian'] and tools['omega']:
        e.append(('Xapian (python3-xapian)', lambda s: [
            PY, PEERQ, 'xapian', os.path.join(idx, 'omega'), str(s)] + QUERIES))
    if tools['groonga']:
        e.append(('Groonga (one process, stdin)', lambda s: [
            PY, PEERQ, 'groonga', os.path.join(idx, 'groonga', 'db'), str(s)]
            + QUERIES))
    return e


def bench_tput(n, engines):
    stage('in-process throughput at %dx: 1 warm-up + %d rounds of %.1f s '
        'per engine, alternating' % (n, TPUT_ROUNDS, TPUT_SECONDS))
    qps = {name: [] for name, _ in engines}
    perq = {name: [] for name, _ in engines}
    for r in range(1 + TPUT_ROUNDS):
        for name, mk in engines:
            secs = TPUT_SECONDS / 2 if r == 0 else TPUT_SECONDS
            p = subprocess.run(mk(secs), capture_output=True, text=True)
            if p.returncode != 0:
                raise SystemExit('bench: %s failed: %s' % (name, p.stderr[-500:]))
            j = json.loads(p.stdout)
            if r > 0:
                qps[name].append(j['qps'])
                perq[name].append(j['per_query_ms'])
    res = {}
    for name in qps:
        res[name] = {'qps': median(qps[name]),
                     'per_query_ms': {q: median([d[q] for d in perq[name]])
                                      for q in QUERIES}}
    return res


def print_tput(n, res):
    names = list(res)
    ours = names[0]
    out()
    out('### Throughput, all queries in one process, %dx: median of %d '
        'rounds of %g s' % (n, TPUT_ROUNDS, TPUT_SECONDS))
    out()
    out('| engine | queries/s | ours/peer |')
    out('|---|---:|---:|')
    for nm in names:
        out('| %s | %.0f | %.2f |' % (nm, res[nm]['qps'],
                                      res[ours]['qps'] / res[nm]['qps']))
    out()
    out('Mean ms per query inside the loop:')
    out()
    out('| query | ' + ' | '.join(nm.split(' (')[0] for nm in names) + ' |')
    out('|---|' + '---:|' * len(names))
    for q in QUERIES:
        out('| `%s` | %s |' % (q, ' | '.join(
            '%.2f' % res[nm]['per_query_ms'][q] for nm in names)))
    best = max(names[1:], key=lambda nm: res[nm]['qps']) if len(names) > 1 else None
    return (res[ours]['qps'] / res[best]['qps'], best) if best else (None, None)


# ---------------------------------------------------------------------------
# Floors: what Xapian alone costs (1x)
#
# Two targets sit below what the engine the architecture fixes can do, and
# these measurements say so in the same run: Xapian's writer alone, given
# our finished documents (bench/writer_floor.py), and the tables Xapian
# needs to hold FTS5's content with positions.

def generations(db):
    """The local databases a stub names ("auto PATH" lines)."""
    stub = os.path.join(db, 'XAPIANDB')
    if not os.path.isfile(stub):
        return [db]
    dirs = []
    for line in open(stub):
        f = line.split()
        if len(f) == 2 and f[0] == 'auto':
            dirs.append(os.path.join(db, f[1]))
    return dirs


def table_bytes(dirs):
    t = {}
    for d in dirs:
        for f in os.listdir(d):
            if f.endswith('.glass'):
                k = f.split('.')[0]
                t[k] = t.get(k, 0) + os.path.getsize(os.path.join(d, f))
    return t


def bench_floors(n, ours_db):
    gens = generations(ours_db)
    if len(gens) != 1:
        note('floors: %s has %d databases; the writer floor replays one '
             'generation' % (ours_db, len(gens)))
        return None
    stage('floors at %dx: Xapian\'s writer alone on our documents, %d runs '
          '(python3-xapian)' % (n, FLOOR_RUNS))
    p = subprocess.run([PY, WRITER_FLOOR, gens[0], os.path.join(B, 'floor-db'),
                        str(FLOOR_RUNS), '1000'], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise SystemExit('bench: writer_floor.py failed: %s' % p.stderr[-500:])
    r = json.loads(p.stdout)
    for k in ('ours', 'title and body'):
        say('  %-16s cpu %s s' % (k, ' '.join('%.2f' % c for c in r[k]['cpu'])))
        r[k]['cpu_median'] = median(r[k]['cpu'])
    r['ours_tables'] = table_bytes(gens)
    return r


TABLES = ('position', 'postlist', 'termlist', 'docdata', 'spelling',
          'synonym')


def print_floors(n, fl, b, ours_key, raw, cores):
    out()
    out('### Floors: what Xapian alone costs, %dx' % n)
    out()
    out('**Writer.**  `bench/writer_floor.py` replays the %d documents of '
        'our index through python3-xapian (the same libxapian): '
        '`add_document()` and a commit every 1,000, no fsync, as a rebuild\'s '
        'partition is written.  Only those calls are timed: no reading, '
        'tokenizing, spelling, compaction or check.  "Title and body" keeps '
        'only what FTS5\'s table holds (the stored record and the headline\'s '
        'and body\'s words with positions).  Median CPU of %d runs; "at '
        'best on %d cores" divides it by the cores, as if the writes split '
        'perfectly.' % (fl['docs'], FLOOR_RUNS, cores))
    out()
    fts = b.get('fts5') if b else None
    out('| documents written | Xapian CPU s | at best on %d cores, s | '
        '/ FTS5 wall | target |' % cores)
    out('|---|---:|---:|---:|---:|')
    for k in ('ours', 'title and body'):
        c = fl[k]['cpu_median']
        out('| %s | %.2f | %.2f | %s | ≤ %.1f× |' % (
            k, c, c / cores, '%.2f×' % (c / cores / fts['wall']) if fts
            else '-', T_BUILD))
    if fts and b.get(ours_key):
        out()
        out('FTS5 builds the whole index in %.2f s (%.2f s of CPU); ours -j2 '
            'takes %.2f s.' % (fts['wall'], fts['cpu'], b[ours_key]['wall']))
    out()
    out('**Size.**  Our index\'s tables, and those of the "title and body" '
        'database above once compacted: what Xapian needs to hold FTS5\'s '
        'content with positions, as a multiple of the raw title and body '
        '(%.1f MB).' % (raw / 1e6))
    out()
    out('| table | ours MB | ours × raw | title and body MB | × raw |')
    out('|---|---:|---:|---:|---:|')
    ours_t, tb = fl['ours_tables'], fl['compacted']
    for k in TABLES:
        if k in ours_t or k in tb:
            out('| %s | %.1f | %.2f | %s | %s |' % (
                k, ours_t.get(k, 0) / 1e6, ours_t.get(k, 0) / raw,
                '%.1f' % (tb[k] / 1e6) if k in tb else '-',
                '%.2f' % (tb[k] / raw) if k in tb else '-'))
    out('| all | %.1f | %.2f | %.1f | %.2f |' % (
        sum(ours_t.values()) / 1e6, sum(ours_t.values()) / raw,
        sum(tb.values()) / 1e6, sum(tb.values()) / raw))
    pos = tb.get('position', 0) + tb.get('postlist', 0) + tb.get('docdata', 0)
    out()
    out('Without termlists (no updates in place), Xapian\'s positions, '
        'postings and stored records of title and body alone are %.2f× the '
        'raw text; the target is %.1f×.' % (pos / raw, T_SIZE))


# ---------------------------------------------------------------------------
# Hit counts

def ours_count(ours_db, args, q):
    """wire-search --db OURS_DB ARGS Q (a --count): the figure, or None."""
    p = subprocess.run([WIRE_SEARCH, '--db', ours_db] + args + [q],
                       env=dict(os.environ, WIRE_SYNONYMS=SYNONYMS),
                       capture_output=True, text=True)
    return int(p.stdout.split()[0]) if p.stdout.strip() else None


def counts(n, tools, ours_db):
    idx = os.path.join(B, 'idx%d' % n)
    env = dict(os.environ, WIRE_SYNONYMS=SYNONYMS)

    def ours(args, q):
        return ours_count(ours_db, args, q)

    def ours_listed(q):
        p = subprocess.run([WIRE_SEARCH, '--db', ours_db, '--json', '--limit',
                            '1000', q], env=env, capture_output=True, text=True)
        hits = sum(1 for line in p.stdout.splitlines() if '"type":"hit"' in line)
        return hits if hits < 1000 else None

    c = {'ours --count': {q: ours(['--count'], q) for q in QUERIES},
         'ours --count --all-versions': {
             q: ours(['--count', '--all-versions'], q) for q in QUERIES},
         'ours hits listed': {q: ours_listed(q) for q in QUERIES},
         'ours --no-stem': {q: ours(['--count', '--all-versions', '--no-stem'],
                                    q) for q in QUERIES}}
    if tools['fts5']:
        c['FTS5'] = json.loads(subprocess.run(
            [PY, PEERQ, 'count-fts5', os.path.join(idx, 'fts5')] + QUERIES,
            capture_output=True, text=True, check=True).stdout)
    if tools['pyxapian'] and tools['omega']:
        c['Xapian (quest)'] = json.loads(subprocess.run(
            [PY, PEERQ, 'count-xapian', os.path.join(idx, 'omega')] + QUERIES,
            capture_output=True, text=True, check=True).stdout)
    if tools['groonga']:
        sys.path.insert(0, BENCH)
        import peer_queries
        g = {}
        for q in QUERIES:
            p = subprocess.run(['groonga', os.path.join(idx, 'groonga', 'db')],
                               input=peer_queries.groonga_select(q, 0) + '\n',
                               capture_output=True, text=True)
            m = re.search(r'\[\[\[(\d+)\]', p.stdout)
            g[q] = int(m.group(1)) if m else None
        c['Groonga'] = g
    return c


def print_counts(n, c):
    cols = list(c)
    out()
    out('### Hit counts, %dx (stories; every Reuters dispatch is one story)' % n)
    out()
    out('| query | ' + ' | '.join(cols) + ' | ours --count = FTS5 |')
    out('|---|' + '---:|' * len(cols) + '---|')
    agree = True
    for q in QUERIES:
        f = c.get('FTS5', {}).get(q)
        o = c['ours --count'][q]
        ok = '' if f is None else ('yes' if o == f else 'no (%+d)' % (o - f))
        if q in PHRASES and f is not None and o != f:
            agree = False
        out('| `%s` | %s | %s |' % (q, ' | '.join(
            '-' if c[k][q] is None else str(c[k][q]) for k in cols), ok))
    return agree


# ---------------------------------------------------------------------------

def fit_budget(n, b1):
    """Cut the build runs at scale N to what fits in the budget, from the
    1x build times.  Every engine's 10x build took 6-7 times its 1x build
    here (fixed costs weigh more at 1x): 0.9 x N leaves a margin."""
    left = BUDGET - (time.perf_counter() - T0)
    # latency, the web server's, throughput and counts at 10x: about 2
    # minutes
    left -= 120
    slow = sum(b1[k]['wall'] for k in b1 if k in SLOW_BUILDS) * n * 0.9
    rnd = sum(b1[k]['wall'] for k in b1 if k not in SLOW_BUILDS) * n * 0.9
    slow_runs = BUILD_RUNS_SLOW[n]
    runs = BUILD_RUNS[n]
    while runs > 1 and slow * slow_runs + rnd * runs > left:
        runs -= 1
    while slow_runs > 1 and slow * slow_runs + rnd * runs > left:
        slow_runs -= 1
    if slow * slow_runs + rnd * runs > left and 'ours-j1' in b1:
        # Still too long: ours -j1 is left out at this scale (the targets
        # and the queries use ours -j2; scriptindex makes quest's index).
        SKIP_BUILDS[n] = ('ours-j1',)
        slow -= b1['ours-j1']['wall'] * n * 0.9
        while runs > 1 and slow * slow_runs + rnd * runs > left:
            runs -= 1
        note('at %dx ours -j1 was not built: not even one run of every '
             'build fitted in the %.0f s budget' % (n, BUDGET))
    if (runs, slow_runs) != (BUILD_RUNS[n], BUILD_RUNS_SLOW[n]):
        note('at %dx the builds were cut to %d run(s) (%d of %s) to stay '
             'within the %.0f s budget (about %.0f s were left; BENCH_BUDGET '
             'raises it)' % (
                 n, runs, min(slow_runs, runs),
                 'scriptindex' if SKIP_BUILDS.get(n) else
                 'ours -j1 and scriptindex', BUDGET, left + 120))
        BUILD_RUNS[n], BUILD_RUNS_SLOW[n] = runs, slow_runs


def verdict(met, miss_pct):
    return 'MET' if met else 'MISSED by %.0f%%' % miss_pct


def main():
    t_start = T0
    os.makedirs(B, exist_ok=True)
    m = machine()
    results['machine'] = m
    say('wiresearch bench: %s, %d cores (%s), %d MB RAM, load %.2f, in %s' % (
        m['date'], m['nproc'], m['cpu'], m['ram_mb'], m['load_at_start'], B))
    if m['load_at_start'] > 1.0:
        note('load average %.2f at the start: other work on this machine '
             'makes every figure noisier' % m['load_at_start'])
    if not os.path.isdir(CORPUS):
        raise SystemExit('bench: no corpus at %s (set BENCH_CORPUS)' % CORPUS)
    tools = check_tools()
    results['tools'] = tools
    if PARTIAL:
        say('BENCH_ONLY: %s only%s' % (
            ' '.join(m for m in MEASURES if m in ONLY), '' if 'builds' in ONLY
            else ', on the indexes already in %s' % B))
        results['only'] = [m for m in MEASURES if m in ONLY]
    sgml = True
    if 'builds' in ONLY:
        sgml = reuters_reader_works()
        if not sgml:
            note('wire-index has no working Reuters reader yet: ours reads the '
                 'same dispatches converted to one plain-text file each '
                 '(header block: ID, Agency, Language, Date, Headline; body)')
        convert(SCALES, not sgml)
    engines = build_engines(tools)
    ours_key = engines[1][1] if tools['rebuild'] else engines[0][1]
    summary = {}
    for n in SCALES:
        if n != 1 and 1 in summary and 'builds' in ONLY:
            fit_budget(n, summary[1]['b'])
        c = os.path.join(B, 'c%d' % n)
        try:
            st = json.load(open(os.path.join(c, 'stats.json')))
        except OSError:
            raise SystemExit('bench: no %s/stats.json: BENCH_ONLY without '
                             '`builds` needs a full run first' % c)
        docs, raw = st['docs'], st['raw_bytes']
        ours_input = os.path.join(c, 'sgm') if sgml else os.path.join(c, 'txt')
        say('\n######## %dx: %d dispatches, %d bytes of title+body' % (
            n, docs, raw))
        ours_db = os.path.join(B, 'idx%d' % n, ours_key)
        b = lat = start = tp = cn = web = fl = None
        if 'builds' in ONLY:
            b = bench_builds(n, engines, ours_input, raw)
        elif not os.path.isdir(ours_db):
            raise SystemExit('bench: no index %s: BENCH_ONLY without `builds` '
                             'needs a full run first' % ours_db)
        if 'latency' in ONLY:
            lat, start = bench_latency(n, query_commands(n, tools, ours_db))
        if 'tput' in ONLY:
            tp = bench_tput(n, tput_commands(n, tools, ours_db))
        if 'counts' in ONLY:
            cn = counts(n, tools, ours_db)
        if 'floors' in ONLY and n == 1:
            fl = bench_floors(n, ours_db)
        if 'web' in ONLY:
            expect = cn['ours --count'] if cn else {
                q: ours_count(ours_db, ['--count'], q) for q in PHRASES}
            web = bench_web(n, tools, ours_db, expect)
        results['%dx' % n] = {'docs': docs, 'raw_bytes': raw, 'builds': b,
                              'latency_ms': lat, 'web_ms': web,
                              'start_ms': start, 'floors': fl,
                              'throughput': tp, 'counts': cn}
        out()
        out('## %dx corpus' % n)
        if b:
            print_builds(n, b, ours_key, docs, raw)
        worst = missed = tratio = tbest = agree = None
        if lat:
            worst, missed = print_latency(n, lat)
            print_start(n, lat, start)
        if web:
            results['%dx' % n]['web_geomean'] = print_web(n, web)
        elif 'web' in ONLY:
            out()
            out('### Per request through a web server, %dx: skipped (see the '
                'notes)' % n)
        if tp:
            tratio, tbest = print_tput(n, tp)
        if cn:
            agree = print_counts(n, cn)
        if fl:
            print_floors(n, fl, b, ours_key, raw, m['nproc'])
        summary[n] = dict(b=b, worst=worst, missed=missed, tratio=tratio,
                          tbest=tbest, agree=agree)
        json.dump(results, open(os.path.join(B, RESULTS), 'w'), indent=1)

    if PARTIAL:
        finish(m, t_start)
        return
    out()
    out('## Targets')
    out()
    out('| target | scale | figure | verdict |')
    out('|---|---|---|---|')
    for n in SCALES:
        s = summary[n]
        out('| per-process latency ≤ fastest peer, every query | %dx | worst '
            'ours/fastest %.2f (%d of %d queries over) | %s |' % (
                n, s['worst'], len(s['missed']), len(QUERIES),
                verdict(not s['missed'], pct_over(s['worst'], T_LATENCY))))
    for n in SCALES:
        s = summary[n]
        if s['tratio'] is not None:
            out('| in-process throughput ≥ 1.3× best peer | %dx | %.2f× %s | '
                '%s |' % (n, s['tratio'], s['tbest'], verdict(
                    s['tratio'] >= T_TPUT,
                    (1 - s['tratio'] / T_TPUT) * 100)))
    for n in SCALES:
        b = summary[n]['b']
        if 'fts5' in b:
            r = b[ours_key]['wall'] / b['fts5']['wall']
            rc = b[ours_key]['cpu'] / b['fts5']['cpu']
            out('| bulk build (%s) ≤ 2× FTS5 wall time | %dx | %.2f× '
                '(%.2f s vs %.2f s; CPU time %.2f×) | %s |' % (
                    b[ours_key]['name'], n, r, b[ours_key]['wall'],
                    b['fts5']['wall'], rc, verdict(r <= T_BUILD,
                                                   pct_over(r, T_BUILD))))
    for n in SCALES:
        b = summary[n]['b']
        r = b[ours_key]['size_ratio']
        out('| index size ≤ 2.5× raw text | %dx | %.2f× (%.1f MB) | %s |' % (
            n, r, b[ours_key]['size'] / 1e6,
            verdict(r <= T_SIZE, pct_over(r, T_SIZE))))
    for n in SCALES:
        b = summary[n]['b']
        for k in [k for k in b if k.startswith('ours')]:
            p = b[k]['peak_mb']
            out('| peak memory of a bulk build < 256 MB | %dx | %s: %.0f MB | '
                '%s |' % (n, b[k]['name'], p, verdict(
                    p < T_MEM_MB, pct_over(p, T_MEM_MB))))
    for n in SCALES:
        out('| phrase hit counts agree with FTS5 (`--count`) | %dx | | %s |' % (
            n, 'yes' if summary[n]['agree'] else 'NO (see the counts table)'))
    finish(m, t_start)


def finish(m, t_start):
    """The notes, the machine, and the files."""
    m['load_at_end'] = os.getloadavg()[0]
    m['seconds'] = time.perf_counter() - t_start
    if notes:
        out()
        out('Notes:')
        out()
        for s in notes:
            out('- ' + s)
    out()
    out('Machine: %d cores, %s, %d MB RAM; %s; load average %.2f at the '
        'start, %.2f at the end; whole run %.0f s.' % (
            m['nproc'], m['cpu'], m['ram_mb'], m['date'], m['load_at_start'],
            m['load_at_end'], m['seconds']))
    out('Versions: %s; %s; %s.' % tuple(
        m['versions'].get(k) or k + ' missing'
        for k in ('sqlite3', 'xapian', 'groonga')))
    json.dump(results, open(os.path.join(B, RESULTS), 'w'), indent=1)
    with open(os.path.join(B, REPORT), 'w') as f:
        f.write('\n'.join(report) + '\n')
    say('\nbench: report in %s/%s, figures in %s/%s '
        '(%.1f GB under %s; rm -rf it when done)' % (
            B, REPORT, B, RESULTS, disk_bytes(B) / 1e9, B))


if __name__ == '__main__':
    main()
