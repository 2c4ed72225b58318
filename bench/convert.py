#!/usr/bin/python3
"""bench/convert.py - Reuters-21578 SGML -> each peer's input format.

    convert.py copies SRC_DIR DST_DIR K
        write K copies of every reut2-*.sgm of SRC_DIR into DST_DIR, copy k
        (0..K-1) with NEWID offset by k*100000 (the 10x corpus, as SGML, to
        feed every engine).  Copy 0 is the original.

    convert.py peers SGML_DIR OUT_DIR [--txt]
        extract NEWID, DATE, TITLE and BODY of every <REUTERS> record and write
          OUT_DIR/fts5.csv        id,title,body (for the sqlite3 CLI .import)
          OUT_DIR/omega.txt       scriptindex records (id=, title=, body=)
          OUT_DIR/groonga.grn     a groonga `load` command (JSON)
          OUT_DIR/stats.json      {"docs": N, "raw_bytes": title+body bytes}
          OUT_DIR/txt/NNN/ID.txt  (with --txt) one plain-text dispatch per
                                  record, header block + body: what our
                                  indexer reads while its Reuters reader is
                                  not there yet.

A <TEXT TYPE="UNPROC"> record has no <BODY>: its whole text is the body.  A
TYPE="BRIEF" record has only a title.  Entities are decoded (&lt; &amp; &#3;)
and control characters dropped.  The files are read as Latin-1 (one byte of
reut2-017.sgm is not ASCII) and everything is written as UTF-8.
"""
import csv
import html
import json
import os
import re
import sys

REC = re.compile(r'<REUTERS\b([^>]*)>(.*?)</REUTERS>', re.S)
NEWID = re.compile(r'NEWID="(\d+)"')
DATE = re.compile(r'<DATE>\s*(.*?)\s*</DATE>', re.S)
TEXT = re.compile(r'<TEXT\b[^>]*>(.*?)</TEXT>', re.S)
TITLE = re.compile(r'<TITLE>(.*?)</TITLE>', re.S)
BODY = re.compile(r'<BODY>(.*?)</BODY>', re.S)
TAG = re.compile(r'<[^>]*>')
CTRL = re.compile(r'[\x00-\x08\x0b-\x1f\x7f]')
MONTHS = {m: i + 1 for i, m in enumerate(
    'JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC'.split())}


def sgm_files(d):
    return sorted(os.path.join(d, f) for f in os.listdir(d)
                  if f.endswith('.sgm'))


def clean(s):
    s = CTRL.sub('', html.unescape(s)).replace('\r', '')
    return s.strip()


def iso_date(s):
    # 26-FEB-1987 15:01:01.79
    m = re.match(r'(\d+)-([A-Z]+)-(\d{4})\s+(\d+):(\d+):(\d+)', s)
    if not m or m.group(2) not in MONTHS:
        return None
    d, mon, y, hh, mm, ss = m.groups()
    if int(hh) > 23 or int(mm) > 59 or int(ss) > 59 or not 1 <= int(d) <= 31:
        return None  # a few dates of the corpus are broken ("605:12:19")
    return '%s-%02d-%02dT%02d:%02d:%02dZ' % (y, MONTHS[mon], int(d), int(hh),
                                             int(mm), int(ss))


def records(path):
    with open(path, encoding='latin-1') as f:
        data = f.read()
    for m in REC.finditer(data):
        attrs, inner = m.groups()
        nid = NEWID.search(attrs)
        if not nid:
            continue
        t = TEXT.search(inner)
        text = t.group(1) if t else ''
        title = TITLE.search(text)
        body = BODY.search(text)
        if body:
            body = body.group(1)
        elif title:
            body = ''
        else:  # UNPROC: the whole text, tags dropped
            body = TAG.sub(' ', text)
        date = DATE.search(inner)
        # A title may be wrapped over two lines: one line for every format.
        yield (int(nid.group(1)),
               ' '.join(clean(title.group(1)).split()) if title else '',
               clean(body), iso_date(date.group(1)) if date else None)


def copies(src, dst, k):
    os.makedirs(dst, exist_ok=True)
    for path in sgm_files(src):
        with open(path, 'rb') as f:
            data = f.read()
        base = os.path.basename(path)[:-4]
        for i in range(k):
            off = i * 100000
            out = data if i == 0 else re.sub(
                rb'NEWID="(\d+)"',
                lambda m: b'NEWID="%d"' % (int(m.group(1)) + off), data)
            with open(os.path.join(dst, '%s-x%02d.sgm' % (base, i)), 'wb') as f:
                f.write(out)


def peers(src, out, txt):
    os.makedirs(out, exist_ok=True)
    n = raw = 0
    fcsv = open(os.path.join(out, 'fts5.csv'), 'w', encoding='utf-8',
                newline='')
    w = csv.writer(fcsv, lineterminator='\n')
    fom = open(os.path.join(out, 'omega.txt'), 'w', encoding='utf-8')
    fgr = open(os.path.join(out, 'groonga.grn'), 'w', encoding='utf-8')
    fgr.write('load --table Docs\n[\n')
    for path in sgm_files(src):
        for nid, title, body, date in records(path):
            n += 1
            raw += len(title.encode()) + len(body.encode())
            w.writerow((nid, title, body))
            fom.write('id=%d\ntitle=%s\nbody=%s\n\n' % (
                nid, title, body.replace('\n', '\n=')))
            fgr.write(('' if n == 1 else ',\n') + json.dumps(
                {'_key': str(nid), 'title': title, 'body': body}))
            if txt:
                d = os.path.join(out, 'txt', '%03d' % (nid // 1000))
                if not os.path.isdir(d):
                    os.makedirs(d)
                hdr = 'ID: reuters-%d\nAgency: Reuters\nLanguage: en\n' % nid
                if date:
                    hdr += 'Date: %s\n' % date
                if title:
                    hdr += 'Headline: %s\n' % title
                with open(os.path.join(d, '%d.txt' % nid), 'w',
                          encoding='utf-8') as f:
                    f.write(hdr + '\n' + body + '\n')
    fgr.write('\n]\n')
    for f in (fcsv, fom, fgr):
        f.close()
    with open(os.path.join(out, 'stats.json'), 'w') as f:
        json.dump({'docs': n, 'raw_bytes': raw}, f)
    print('convert: %d dispatches, %d bytes of title+body -> %s' % (n, raw, out))


def main(argv):
    if len(argv) == 5 and argv[1] == 'copies':
        copies(argv[2], argv[3], int(argv[4]))
    elif len(argv) in (4, 5) and argv[1] == 'peers':
        peers(argv[2], argv[3], len(argv) == 5 and argv[4] == '--txt')
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
