#!/usr/bin/env python3
"""Build the hand-made WARC test files from pages/ (run from this folder).

Each file exercises one thing the WARC reader must survive; the tests in
tests/unit/test_corpus_warc.c know what each one holds.  Deterministic:
fixed record ids, dates and gzip mtimes, so re-running changes nothing.
"""
import gzip
import io
import os
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def page(name):
    with open(os.path.join(HERE, 'pages', name), 'rb') as f:
        return f.read()


def http(status, ctype, body, extra=b''):
    reason = {200: b'OK', 301: b'Moved Permanently', 404: b'Not Found'}[status]
    head = b'HTTP/1.1 %d %s\r\n' % (status, reason)
    if ctype:
        head += b'Content-Type: ' + ctype + b'\r\n'
    head += extra
    if b'Transfer-Encoding' not in extra:
        head += b'Content-Length: %d\r\n' % len(body)
    return head + b'\r\n' + body


def record(n, wtype, block, uri=None, ctype=b'application/http; msgtype=response',
           version=b'1.0', length=None):
    h = b'WARC/' + version + b'\r\n'
    h += b'WARC-Type: ' + wtype + b'\r\n'
    if uri:
        h += b'WARC-Target-URI: ' + uri + b'\r\n'
    h += b'WARC-Date: 2024-03-05T10:00:%02dZ\r\n' % n
    h += b'WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-%012d>\r\n' % n
    if ctype:
        h += b'Content-Type: ' + ctype + b'\r\n'
    h += b'Content-Length: %d\r\n' % (len(block) if length is None else length)
    return h + b'\r\n' + block + b'\r\n\r\n'


def chunked(body, size=100):
    out = b''
    for i in range(0, len(body), size):
        c = body[i:i + size]
        out += b'%x\r\n' % len(c) + c + b'\r\n'
    return out + b'0\r\n\r\n'


def gz(data):
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode='wb', mtime=0) as f:
        f.write(data)
    return buf.getvalue()


def write(name, data):
    with open(os.path.join(HERE, name), 'wb') as f:
        f.write(data)


def response(n, uri, body, ctype=b'text/html; charset=utf-8', status=200,
             extra=b'', **kw):
    return record(n, b'response', http(status, ctype, body, extra), uri, **kw)


U = b'https://coastal.example/news/'

# good: every kind of record a crawl holds; 4 articles (the last a resource
# record of text/html), the 301 passed over.
good = [
    record(1, b'warcinfo', b'software: make_warcs.py\r\nformat: WARC 1.0\r\n',
           ctype=b'application/warc-fields'),
    record(2, b'request', b'GET /news/harbour-bridge-reopens HTTP/1.1\r\n'
           b'Host: coastal.example\r\n\r\n', U + b'harbour-bridge-reopens',
           ctype=b'application/http; msgtype=request'),
    response(3, U + b'harbour-bridge-reopens', page('article-utf8.html')),
    response(4, U + b'cafe', page('latin1-nodecl.html'),
             b'text/html; charset=ISO-8859-1'),
    response(5, U + b'old-address', b'', None, 301,
             b'Location: https://coastal.example/news/new-address\r\n'),
    response(6, U + b'logo.png', b'\x89PNG\r\n\x1a\n\0\0\0\rIHDR', b'image/png'),
    response(7, U + b'prices', chunked(gz(page('cp1252-meta.html'))),
             b'text/html', 200,
             b'Transfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n'),
    record(8, b'metadata', b'via: https://coastal.example/\r\n',
           U + b'prices', ctype=b'application/warc-fields'),
    record(9, b'resource', page('div-soup.html'), U + b'resource.html',
           ctype=b'text/html'),
]
write('good.warc', b''.join(good))
write('good.warc.gz', b''.join(gz(r) for r in good))      # one member each
write('whole.warc.gz', gz(b''.join(good)))                 # one member

# WARC/0.17, as Heritrix 1.14 wrote it, with a dns record: 1 article.
v017 = [
    record(1, b'response', b'20080430204825\nexample.org.\t589\tIN\tA\t192.0.2.1\n',
           b'dns:example.org', ctype=b'text/dns', version=b'0.17'),
    record(2, b'response', http(200, b'text/html', page('div-soup.html')),
           b'http://example.org/market', version=b'0.17'),
]
write('v017.warc', b''.join(v017))

three = [response(1, U + b'one', page('article-utf8.html')),
         response(2, U + b'two', page('jsonld-only.html')),
         response(3, U + b'three', page('misnested-aside.html'))]

# Content-Length too long: record 2 claims 300 bytes more than it has, so
# its block swallows the start of record 3; records 1 and 3 are read.
blk = http(200, b'text/html', page('jsonld-only.html'))
long_ = [three[0],
         record(2, b'response', blk, U + b'two', length=len(blk) + 300),
         three[2]]
write('long.warc', b''.join(long_))

# Content-Length too short: record 2 claims 300 bytes less; records 1 and
# 3 are read, record 2 rejected.
short = [three[0],
         record(2, b'response', blk, U + b'two', length=len(blk) - 300),
         three[2]]
write('short.warc', b''.join(short))

# Cut inside record 2's block: 1 article, 1 reject.
whole = b''.join(three[:2])
write('truncated.warc', whole[:len(three[0]) + 900])

# (A per-record gzip file cut inside a member is built by the test itself
# from good.warc.gz: it must be large, for the cut to lie beyond what
# libarchive reads ahead when it opens a file.)

# Junk before the first record and between records: 2 articles, 1 reject.
write('garbage.warc', b'this is not a warc file\r\nnor is this\r\n' +
      three[0] + b'stray bytes between records\r\n' + three[2])

# A response record with no HTTP header (the block is the bare page), and a
# 404: 0 articles, 2 rejects.
write('no-http.warc', record(1, b'response', page('article-utf8.html'),
                             U + b'bare') +
      response(2, U + b'missing', b'<html>gone</html>', status=404))

# Content-Length over the 64 MiB record limit (the bytes are not there):
# 1 reject, and nothing after it can be trusted.
write('huge.warc', three[0] + record(2, b'response', b'x' * 100, U + b'huge',
                                     length=100 << 20))
