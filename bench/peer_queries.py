#!/usr/bin/python3
"""bench/peer_queries.py - the peers' side of the in-process measurements.

    peer_queries.py fts5 DB SECONDS QUERY...
    peer_queries.py xapian DB SECONDS QUERY...
    peer_queries.py groonga DB SECONDS QUERY...
        run the queries in turn, 10 hits each with a snippet of the body,
        until SECONDS have passed (always finishing a whole round); print
        {"queries": N, "seconds": S, "qps": Q, "per_query_ms": {...}}

    peer_queries.py count-fts5 DB QUERY...
    peer_queries.py count-xapian DB QUERY...
        print {QUERY: exact number of matching documents, ...}

fts5: Python's sqlite3 module, bm25 ranking with the title weighted 3
(the table's 'rank' is configured so at build time), snippet() of the body.
xapian: python3-xapian, what quest does (QueryParser, English stemmer,
STEM_SOME, default flags, BM25) + Enquire, 10 hits, MSet.snippet() of the
stored body.  groonga: one `groonga DB` process fed select commands on its
standard input, one at a time (the pipe round trip is included).
"""
import json
import subprocess
import sys
import time

SNIPPET_BYTES = 240


def fts5_runner(db):
    import sqlite3
    con = sqlite3.connect(db)
    sql = ("SELECT id, title, snippet(t, 2, '[', ']', '...', 32) FROM t "
           "WHERE t MATCH ? ORDER BY rank LIMIT 10")

    def run(q):
        return con.execute(sql, (q,)).fetchall()
    return run


def fts5_count(db, q):
    import sqlite3
    con = sqlite3.connect(db)
    return con.execute('SELECT count(*) FROM t WHERE t MATCH ?',
                       (q,)).fetchone()[0]


def xapian_setup(db):
    import xapian
    d = xapian.Database(db)
    qp = xapian.QueryParser()
    qp.set_database(d)
    stem = xapian.Stem('english')
    qp.set_stemmer(stem)
    qp.set_stemming_strategy(qp.STEM_SOME)
    enq = xapian.Enquire(d)
    return xapian, d, qp, stem, enq


def xapian_runner(db):
    xapian, d, qp, stem, enq = xapian_setup(db)

    def run(q):
        enq.set_query(qp.parse_query(q))
        mset = enq.get_mset(0, 10)
        out = []
        for m in mset:
            data = m.document.get_data().decode('utf-8', 'replace')
            body = ''
            for line in data.split('\n'):
                if line.startswith('body='):
                    body = line[5:]
            out.append(mset.snippet(body, SNIPPET_BYTES, stem))
        return out
    return run


def xapian_count(db, q):
    xapian, d, qp, stem, enq = xapian_setup(db)
    enq.set_query(qp.parse_query(q))
    return enq.get_mset(0, 0, d.get_doccount()).get_matches_estimated()


def groonga_runner(db):
    p = subprocess.Popen(['groonga', db], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True, bufsize=1)
    # groonga caches select results: that would measure the cache.
    p.stdin.write('cache_limit 0\n')
    p.stdin.flush()
    p.stdout.readline()

    def run(q):
        p.stdin.write(groonga_select(q, 10) + '\n')
        p.stdin.flush()
        line = p.stdout.readline()
        if not line.startswith('[[0,'):
            raise RuntimeError('groonga: %s: %s' % (q, line[:200]))
        return line
    return run


def groonga_quote(s):
    return "'" + s.replace('\\', '\\\\').replace("'", "\\'") + "'"


def groonga_query(q):
    """Our query language -> groonga's: AND is implicit, NOT is ' - '."""
    return q.replace(' AND ', ' ').replace(' NOT ', ' - ')


def groonga_select(q, limit):
    return ('select Docs --match_columns %s --query %s --sort_keys -_score '
            '--limit %d --output_columns %s' % (
                groonga_quote('title*3||body'), groonga_quote(groonga_query(q)),
                limit, groonga_quote('_key,_score,title,snippet_html(body)')))


def throughput(run, seconds, queries):
    spent = [0.0] * len(queries)
    runs = [0] * len(queries)
    total = 0
    start = time.perf_counter()
    while True:
        for i, q in enumerate(queries):
            t0 = time.perf_counter()
            run(q)
            spent[i] += time.perf_counter() - t0
            runs[i] += 1
            total += 1
        if time.perf_counter() - start >= seconds:
            break
    el = time.perf_counter() - start
    return {'queries': total, 'seconds': el, 'qps': total / el,
            'per_query_ms': {q: 1000 * spent[i] / runs[i]
                             for i, q in enumerate(queries)}}


def main(argv):
    mode, db = argv[1], argv[2]
    if mode.startswith('count-'):
        f = {'count-fts5': fts5_count, 'count-xapian': xapian_count}[mode]
        print(json.dumps({q: f(db, q) for q in argv[3:]}))
        return 0
    runner = {'fts5': fts5_runner, 'xapian': xapian_runner,
              'groonga': groonga_runner}[mode](db)
    print(json.dumps(throughput(runner, float(argv[3]), argv[4:])))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
