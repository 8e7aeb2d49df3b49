#!/usr/bin/env python3
"""Recompute every digest and link of one village's chain from Mingbai's public bulk files (docs/DIGEST.md).

    python3 verify.py fucun [http://localhost:4321/data/ | ./mirror-folder]
Standard library only. Prints OK or FAIL per published revision; exit status 1 on any problem, 0 when all match.
"""
import csv, hashlib, io, json, os, sys, urllib.error, urllib.request
V1, V2, V3 = 'mingbai-period-v1', 'mingbai-period-v2', 'mingbai-period-v3'


class Bad(Exception): pass  # a file missing or damaged: reported against its month, never a crash


def reader(root):
    def read(path):
        try:
            if root.startswith(('http://', 'https://')):
                with urllib.request.urlopen(root.rstrip('/') + '/' + path, timeout=60) as res:
                    return res.read().decode('utf-8')
            with open(os.path.join(root, *path.split('/')), 'rb') as f:
                return f.read().decode('utf-8')
        except urllib.error.HTTPError as e:
            raise Bad('%s: HTTP %d' % (path, e.code)) from None
        except Exception as e:  # any I/O failure (a cut connection: IncompleteRead) is the file's, not ours
            raise Bad('%s: %s' % (path, e)) from None
    return read


def rows_csv(text, name):
    if text and not text.endswith('\n'):
        raise Bad(name + ': last line has no newline (truncated)')
    try:
        rows = list(csv.reader(io.StringIO(text.lstrip('\ufeff'), newline=''), strict=True))
    except csv.Error as e:
        raise Bad('%s: %s' % (name, e)) from None
    if not rows or any(len(r) != len(rows[0]) for r in rows):
        raise Bad(name + ': wrong number of columns (damaged)')
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def rows_jsonl(text, name):
    if text and not text.endswith('\n'):
        raise Bad(name + ': last line has no newline (truncated)')
    try:
        return [json.loads(line) for line in text.split('\n')[:-1]]
    except ValueError as e:
        raise Bad('%s: %s' % (name, e)) from None


line = lambda value: json.dumps(value, ensure_ascii=False, separators=(',', ':')) + '\n'  # JSON.stringify


def canonical_text(st, d, lines, atts):
    fmt = st['digest_format']
    head = [fmt, st['village_code'], int(st['year']), int(st['month']), int(st['revision']),
            st['account_standard'], st['previous_digest'] or None]
    out = [line(head + ([d['reason']] if fmt == V3 else []))]
    signed = {v[0]: v[1:] for v in d['vouchers']}
    vouchers = {}
    for l in lines:
        vouchers.setdefault(l['voucher_number'], []).append(l)
    if set(signed) != set(vouchers):
        raise Bad('digests.jsonl and lines.jsonl list different vouchers')
    for n in sorted(vouchers):
        v = (ls := sorted(vouchers[n], key=lambda l: l['line_no']))[0]
        out.append(line([n, v['voucher_date'], v['summary'], v['attachments'], *signed[n],
                         [[l['line_no'], l['account_code'], l['side'], l['amount_fen'], l['line_summary'],
                           l['counterparty'], l['payment_method']] for l in ls]]))
    if fmt in (V2, V3):
        r = d['review']
        out.append(line(['review', r['approved_by'], r['approved_at'], r['approval_note'],
                         r['red_flag_rules'], r['flags']]))
    if fmt == V3:
        items = [[int(a['voucher_number']) if a['voucher_number'] else None, a['kind'], a['sha256'],
                  a['thumbnail_sha256'], a['page_sha256s'].split()] for a in atts]
        items.sort(key=lambda a: (-1 if a[0] is None else a[0], a[2], a[3], a[1]))
        out.append(line(['attachments', items]))
    return ''.join(out)


def check_revision(read, slug, month, rev):
    base = 'v/%s/%s/r%d/' % (slug, month, rev)
    (st,) = rows_csv(read(base + 'statements.csv'), base + 'statements.csv') or [None]
    (d,) = rows_jsonl(read(base + 'digests.jsonl'), base + 'digests.jsonl') or [None]
    if st is None or d is None:
        raise Bad(base + ': statements.csv or digests.jsonl is empty')
    for k in ('digest', 'digest_format', 'chain_seq', 'previous_digest'):
        if str(d[k] or '') != st[k]:
            raise Bad('statements.csv and digests.jsonl disagree on ' + k)
    if st['digest_format'] not in (V1, V2, V3):
        raise Bad('unknown digest format ' + st['digest_format'])
    lines = rows_jsonl(read(base + 'lines.jsonl'), base + 'lines.jsonl')
    atts = rows_csv(read(base + 'attachments.csv'), base + 'attachments.csv')
    text = canonical_text(st, d, lines, atts)
    return st, hashlib.sha256(text.encode('utf-8')).hexdigest()


def catalog(read):
    return ['%d-%02d' % (m['year'], m['month']) for m in json.loads(read('catalog.json'))['months']]


def walk(read, slug, months):
    """A village's publications [(seq, month, rev, digest, previous)] by position, its problems, its OK lines."""
    fails, chain, oks = [], [], []
    for month in months:
        try:
            latest = rows_csv(read('v/%s/%s/statements.csv' % (slug, month)), 'statements.csv')[0]['revision']
        except (Bad, IndexError, KeyError) as e:  # 404: the village published nothing that month
            if 'HTTP 404' not in str(e) and 'No such file' not in str(e):
                fails.append('%s %s: statements.csv: %s' % (slug, month, e))
            continue
        for rev in range(1, int(latest) + 1):
            try:
                st, computed = check_revision(read, slug, month, rev)
            except (Bad, ValueError, KeyError, TypeError, IndexError) as e:
                fails.append('%s %s r%d FILE_DAMAGED %s' % (slug, month, rev, e))
                continue
            chain.append((int(st['chain_seq']), month, rev, st['digest'], st['previous_digest'] or None))
            if computed != st['digest']:
                fails.append('%s %s r%d DIGEST_MISMATCH expected %s computed %s'
                             % (slug, month, rev, st['digest'], computed))
            else:
                oks.append('OK   %s %s r%d #%s %s' % (slug, month, rev, st['chain_seq'], st['digest'][:16]))
    prev = None
    for seq, month, rev, digest, previous in sorted(chain):
        want_seq = prev[0] + 1 if prev else 1
        if seq != want_seq:
            fails.append('%s %s r%d CHAIN_%s at position %d, expected %d'
                         % (slug, month, rev, 'FORK' if prev and seq == prev[0] else 'GAP', seq, want_seq))
        elif previous != (prev[3] if prev else None):
            fails.append('%s %s r%d LINK_BROKEN previous digest %s, expected %s'
                         % (slug, month, rev, previous, prev[3] if prev else None))
        prev = (seq, month, rev, digest)
    return sorted(chain), fails + ([] if chain or fails else ['%s: nothing published' % slug]), oks


def main(slug, root='http://localhost:4321/data/'):
    read = reader(root)
    try:
        chain, fails, oks = walk(read, slug, catalog(read))
    except (Bad, ValueError, KeyError, TypeError) as e:
        return print('FAIL %s catalog.json: %s' % (slug, e)) or 1
    print(''.join(x + '\n' for x in oks + ['FAIL ' + f for f in fails]), end='')
    print('%s: %d publications, %s' % (slug, len(chain), '%d problem(s)' % len(fails) if fails else 'all match'))
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]) if len(sys.argv) in (2, 3) else __doc__)
