#!/usr/bin/env python3
"""An independent oracle for phrase search on Reuters-21578.

usage: reuters_phrases.py PHRASES_FILE FILE.sgm...

For each phrase (one per line), prints "phrase<TAB>NEWID NEWID ..." listing
the records whose TITLE, DATELINE or BODY -- each on its own -- contain the
phrase's words consecutively within one paragraph (a paragraph of a
Reuters body starts on an indented line: "oil.\n    Prices" is not the
phrase "oil prices").  A record without a BODY (TYPE="UNPROC") is
searched in the whole text of its TEXT element.  Words are runs of ASCII
letters and digits, lowercased; "'s" is dropped and other apostrophes inside
a word join it, as wire readers write them.  Written for the tests, sharing
no code with wiresearch.
"""
import html
import re
import sys

RECORD = re.compile(rb"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.S)
NEWID = re.compile(rb'NEWID="(\d+)"')


def field(rec, name):
    m = re.search(rb"<" + name + rb"\b[^>]*>(.*?)</" + name + rb">", rec, re.S)
    return m.group(1) if m else None


def words(raw):
    text = html.unescape(raw.decode("latin-1")).lower()
    text = re.sub(r"[\x00-\x1f\x7f]", " ", text)
    text = text.replace("\u2019", "'")
    text = re.sub(r"(?<=[a-z0-9])'s\b", "", text)
    text = re.sub(r"(?<=[a-z0-9])'(?=[a-z0-9])", "", text)
    return re.findall(r"[a-z0-9]+", text)


def contains(seq, phrase):
    n = len(phrase)
    first = phrase[0]
    for i, w in enumerate(seq):
        if w == first and seq[i:i + n] == phrase:
            return True
    return False


def main():
    phrases = [p.strip() for p in open(sys.argv[1]) if p.strip()]
    split = {p: p.lower().split() for p in phrases}
    found = {p: [] for p in phrases}
    for path in sys.argv[2:]:
        data = open(path, "rb").read()
        for m in RECORD.finditer(data):
            attrs, rec = m.group(1), m.group(2)
            newid = int(NEWID.search(attrs).group(1))
            fields = []
            for name in (b"TITLE", b"DATELINE", b"BODY"):
                f = field(rec, name)
                if f is None:
                    continue
                for para in re.split(rb"\n[ \t]+", f):
                    fields.append(words(para))
            if field(rec, b"BODY") is None and b'TYPE="UNPROC"' in rec:
                text = re.sub(rb"<[^>]*>", b" ", field(rec, b"TEXT") or b"")
                for para in re.split(rb"\n[ \t]+", text):
                    fields.append(words(para))
            for p in phrases:
                if any(contains(f, split[p]) for f in fields):
                    found[p].append(newid)
    for p in phrases:
        print(p + "\t" + " ".join(str(i) for i in sorted(found[p])))


if __name__ == "__main__":
    main()
