#!/usr/bin/python3
"""bench/writer_floor.py - what Xapian's writer alone costs for our documents.

    writer_floor.py SOURCE_DB DEST_DIR RUNS BATCH

Reads every document of SOURCE_DB (one of our generations: its data,
values, and terms with their wdf and positions) into memory first, twice:
as they are ("ours"), and cut down to what FTS5's table holds ("title and
body": the stored record, and the headline's and body's words with their
positions, no values, no other fields).  Then RUNS times writes each set
into a new glass database in DEST_DIR, as
`wire-index rebuild` writes a partition: add_document() in order, a
commit() every BATCH documents, no fsync (DB_NO_SYNC).  Only the writer's
calls are timed: no reading, tokenizing, document building, spelling,
compaction or check.  Prints one JSON object:

    {"docs": N, "ours": RUN, "title and body": RUN}
    RUN: {"cpu": [S, ...], "wall": [S, ...], "bytes": B}

cpu is this process's CPU time (user + sys) over the writes; bytes the size
of the last run's database.  The last "title and body" database is then
compacted (Compactor::FULLER, as wire-index compacts a rebuild), and
"compacted" gives the bytes of each of its tables: what Xapian needs to
hold FTS5's content with positions, whoever writes it.  python3-xapian calls the same libxapian as
wire-index, and the Python loop around add_document() costs about a
microsecond a document, under 0.1% of it.
"""
import json
import os
import shutil
import sys
import time

import xapian


def title_or_body(term):
    """An unprefixed (body) term, or a headline word: S and a lower-case
    letter or digit (S^ marks an acronym's second spelling)."""
    t = term.decode('utf-8', 'replace')
    if t[:1] == 'S':
        t = t[1:]
    return t[:1] != '' and not t[:1].isupper() and t[:1] != '^'


def load(path):
    src = xapian.Database(path)
    docs, minimal = [], []
    for did in range(1, src.get_lastdocid() + 1):
        try:
            s = src.get_document(did)
        except xapian.DocNotFoundError:
            continue
        d, m = xapian.Document(), xapian.Document()
        d.set_data(s.get_data())
        m.set_data(s.get_data())
        for v in s.values():
            d.add_value(v.num, v.value)
        for t in s.termlist():
            keep = title_or_body(t.term)
            for p in src.positionlist(did, t.term):
                d.add_posting(t.term, p, 0)
                if keep:
                    m.add_posting(t.term, p, 0)
            # the wdf as indexed, with or without positions
            d.add_term(t.term, t.wdf)
            if keep:
                m.add_term(t.term, t.wdf)
        docs.append(d)
        minimal.append(m)
    return docs, minimal


def write(docs, dest, batch):
    shutil.rmtree(dest, ignore_errors=True)
    c0, t0 = time.process_time(), time.perf_counter()
    db = xapian.WritableDatabase(
        dest, xapian.DB_CREATE_OR_OVERWRITE | xapian.DB_NO_SYNC)
    for i, d in enumerate(docs, 1):
        db.add_document(d)
        if i % batch == 0:
            db.commit()
    db.commit()
    db.close()
    return time.process_time() - c0, time.perf_counter() - t0


def main():
    if len(sys.argv) != 5:
        raise SystemExit('usage: writer_floor.py SOURCE_DB DEST_DIR RUNS BATCH')
    src, dest, runs, batch = sys.argv[1], sys.argv[2], int(sys.argv[3]), \
        int(sys.argv[4])
    sets = dict(zip(('ours', 'title and body'), load(src)))
    res = {'docs': len(sets['ours'])}
    for k in sets:
        res[k] = {'cpu': [], 'wall': []}
    for _ in range(runs):
        for k, docs in sets.items():
            c, w = write(docs, dest, batch)
            res[k]['cpu'].append(c)
            res[k]['wall'].append(w)
            res[k]['bytes'] = sum(os.path.getsize(os.path.join(dest, f))
                                  for f in os.listdir(dest))
    packed = dest + '.compact'
    shutil.rmtree(packed, ignore_errors=True)
    xapian.Database(dest).compact(packed, xapian.Compactor.FULLER)
    res['compacted'] = {f.split('.')[0]: os.path.getsize(os.path.join(packed, f))
                        for f in os.listdir(packed) if f.endswith('.glass')}
    shutil.rmtree(packed, ignore_errors=True)
    shutil.rmtree(dest, ignore_errors=True)
    print(json.dumps(res))


if __name__ == '__main__':
    main()
