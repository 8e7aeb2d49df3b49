#!/usr/bin/env python3
"""Check Mingbai's signed checkpoints from the public files alone (docs/DIGEST.md, "Checkpoints").

    python3 verify_checkpoints.py [ROOT] [--key key.pub] [--saved DIR] [--save DIR] [--max-age HOURS]

ROOT is a site's /data/ (default http://localhost:4321/data/) or a folder laid out the same way. Checks the latest
checkpoint: its RFC 6962 root recomputed from its leaves, every village's chain recomputed from the bulk files
(verify.py, beside this file) with the head at the stated length, and every inclusion proof. Then each checkpoint
saved in DIR/checkpoints/ (by --save here, or `pnpm verify --checkpoints --save DIR`): the same on the server now
(else HISTORY_FORKED), each of its heads still in today's chains (else HISTORY_REWRITTEN, naming the first month that
changed), and the server's consistency proof. The Ed25519 signature needs what Python's standard library lacks: it is
checked with `openssl pkeyutl -verify` (OpenSSL 3) when openssl is installed, else reported as NOT checked (use
`pnpm verify --checkpoints`). Prints OK, NOTE and FAIL lines; exit status 1 on any problem, 0 when all hold.
"""
import argparse, base64, datetime, glob, hashlib, json, os, re, shutil, subprocess, sys, tempfile
sys.dont_write_bytecode = True  # no __pycache__ left in docs/
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from verify import Bad, catalog, reader, walk  # noqa: E402

HEX64, SLUG = re.compile(r'[0-9a-f]{64}'), re.compile(r'[a-z0-9]+(?:-[a-z0-9]+)*')
ED25519_SPKI = bytes.fromhex('302a300506032b6570032100')  # the DER prefix of an Ed25519 public key (RFC 8410)
sha = lambda b: hashlib.sha256(b).digest()
node = lambda left, right: sha(b'\x01' + left + right)  # RFC 6962 §2.1


def leaf_hash(leaf):  # the leaf's bytes: code, chain length, head, each line ending in \n
    return sha(b'\x00' + ('%s\n%d\n%s\n' % (leaf['code'], leaf['length'], leaf['head'])).encode())


def split(n):  # the largest power of two smaller than n
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def tree_root(hashes):
    if len(hashes) <= 1:
        return hashes[0] if hashes else sha(b'')
    k = split(len(hashes))
    return node(tree_root(hashes[:k]), tree_root(hashes[k:]))


def root_from_path(m, n, leaf, path):  # RFC 6962 §2.1.1 audit path, bottom-up; None if its length is wrong
    if not 0 <= m < n:
        return None
    if n == 1:
        return None if path else leaf
    if not path:
        return None
    k, top = split(n), path[-1]
    if m < k:
        left = root_from_path(m, k, leaf, path[:-1])
        return left and node(left, top)
    right = root_from_path(m - k, n - k, leaf, path[:-1])
    return right and node(top, right)


def parse(text, where):  # a checkpoint's JSON, field by field: anything off is CHECKPOINT_DAMAGED, never a crash
    try:
        o = json.loads(text)
    except ValueError as e:
        raise Bad('%s is not complete JSON (damaged or truncated): %s' % (where, e)) from None
    ints = lambda *ks: all(type(o.get(k)) is int and o[k] >= 0 for k in ks)
    if not (isinstance(o, dict) and ints('number', 'treeSize') and isinstance(o.get('leaves'), list)
            and re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z', str(o.get('timestamp')))
            and HEX64.fullmatch(str(o.get('root'))) and re.fullmatch(r'[A-Za-z0-9+/]{86}==', str(o.get('signature')))):
        raise Bad('%s: not a checkpoint (number, timestamp, treeSize, root, signature, leaves)' % where)
    for i, l in enumerate(o['leaves']):
        if not (isinstance(l, dict) and re.fullmatch(r'\d{12}', str(l.get('code'))) and type(l.get('length')) is int
                and l['length'] >= 1 and HEX64.fullmatch(str(l.get('head'))) and SLUG.fullmatch(str(l.get('slug')))):
            raise Bad('%s: leaves[%d] is malformed' % (where, i))
    if len(o['leaves']) != o['treeSize']:
        raise Bad('%s: treeSize %d but %d leaves' % (where, o['treeSize'], len(o['leaves'])))
    return o


def key_id(pem):  # the first 16 hex of SHA-256 over the key's 32 raw bytes
    try:
        der = base64.b64decode(''.join(l for l in pem.strip().splitlines() if not l.startswith('-----')), validate=True)
    except ValueError:
        der = b''
    if len(der) != 44 or not der.startswith(ED25519_SPKI):
        raise Bad('not an Ed25519 public key (PEM, SPKI)')
    return hashlib.sha256(der[12:]).hexdigest()[:16]


def signature_ok(cp, pem):  # True, False, or None when openssl cannot say
    exe = shutil.which('openssl')
    if not exe:
        return None
    text = 'mingbai-checkpoint-v1\nnumber %d\ntime %s\nsize %d\nroot %s\n' % (
        cp['number'], cp['timestamp'], cp['treeSize'], cp['root'])
    with tempfile.TemporaryDirectory() as d:
        files = (('key.pub', pem.encode()), ('text', text.encode()), ('sig', base64.b64decode(cp['signature'])))
        for name, data in files:
            with open(os.path.join(d, name), 'wb') as f:
                f.write(data)
        r = subprocess.run([exe, 'pkeyutl', '-verify', '-pubin', '-inkey', os.path.join(d, 'key.pub'), '-rawin',
                            '-in', os.path.join(d, 'text'), '-sigfile', os.path.join(d, 'sig')],
                           capture_output=True, text=True, timeout=60)
    out = r.stdout + r.stderr
    return True if 'Verified Successfully' in out else False if 'Verification Failure' in out else None


def saving(read, folder):  # keeps a copy of every file read, in the same layout
    def r(path):
        text = read(path)
        file = os.path.join(folder, *path.split('/'))
        os.makedirs(os.path.dirname(file), exist_ok=True)
        with open(file, 'w', encoding='utf-8', newline='') as f:
            f.write(text)
        return text
    return r


def check(args):
    read = saving(reader(args.root), args.save) if args.save else reader(args.root)
    fails, notes = [], []
    fail = lambda code, where, msg, cp='latest': fails.append('FAIL %s %s [checkpoint %s] %s' % (where, code, cp, msg))
    key_file = args.key or (args.saved and os.path.join(args.saved, 'checkpoints', 'key.pub'))
    pem = None
    if key_file:
        try:
            with open(key_file, encoding='utf-8') as f:
                pem = f.read()
            key_id(pem)
        except (OSError, ValueError, Bad) as e:
            fail('KEY_UNREADABLE', '(key)', '%s: %s' % (key_file, e), '-')
            return fails, notes
    try:
        served = read('checkpoints/key.pub')
        if pem and key_id(served) != key_id(pem):
            fail('KEY_CHANGED', '(key)', 'the server now gives key %s, not the trusted %s: another key or another site'
                 % (key_id(served), key_id(pem)), '-')
    except Bad as e:
        if not pem:
            fail('KEY_UNREADABLE', '(key)', "the server's checkpoints/key.pub: %s" % e, '-')
            return fails, notes
    if not pem:
        pem = served
        notes.append("only the server's own key was used: give --key or --saved to catch a replaced key")

    def head_ok(cp, label):  # the signature (by openssl) and the root
        before, sig = len(fails), signature_ok(cp, pem)
        if sig is None:
            notes.append('signature of checkpoint %s NOT checked: needs openssl (OpenSSL 3), or use pnpm verify '
                         '--checkpoints' % label)
        elif not sig:
            fail('BAD_SIGNATURE', '(checkpoint)', 'not signed by the trusted key, or changed after signing', label)
        if tree_root([leaf_hash(l) for l in cp['leaves']]).hex() != cp['root']:
            fail('ROOT_MISMATCH', '(checkpoint)', 'the root is not the one its leaves give', label)
        return len(fails) == before

    try:
        latest = parse(read('checkpoints/latest.json'), 'checkpoints/latest.json')
    except Bad as e:
        missing = 'HTTP 404' in str(e) or 'No such file' in str(e)
        fail('CHECKPOINT_MISSING' if missing else 'CHECKPOINT_DAMAGED', '(checkpoint)', e)
        return fails, notes
    n = latest['number']
    head_ok(latest, n)
    signed = datetime.datetime.strptime(latest['timestamp'] + '+0000', '%Y-%m-%dT%H:%M:%S.%fZ%z')
    age = (datetime.datetime.now(datetime.timezone.utc) - signed).total_seconds() / 3600
    if args.max_age is not None and age > args.max_age:
        fail('CHECKPOINT_STALE', '(checkpoint)', 'signed %.1f hours ago, more than %g: the log stopped'
             % (age, args.max_age), n)
    elif age > 25:
        notes.append('checkpoint %d was signed %.1f hours ago: a live site signs one every day' % (n, age))
    try:
        months, chains = catalog(read), {}
    except (Bad, ValueError, KeyError, TypeError) as e:  # every chain then fails to reach its head: named below
        months, chains = [], {}
        fail('CHAIN_INVALID', '(catalog)', 'catalog.json: %s' % e, n)

    def chain_of(slug):
        if slug not in chains:
            pubs, problems, _ = walk(read, slug, months)
            chains[slug] = ({p[0]: p for p in pubs}, problems)
        return chains[slug]

    for leaf in latest['leaves']:
        pubs, problems = chain_of(leaf['slug'])
        for p in problems:
            fail('CHAIN_INVALID', leaf['slug'], p, n)
        at = pubs.get(leaf['length'])
        if not at or at[3] != leaf['head']:
            fail('HEAD_MISMATCH', leaf['slug'], 'position %d of the chain is %s, the checkpoint says %s'
                 % (leaf['length'], at and at[3][:16], leaf['head'][:16]), n)
        try:
            proof = json.loads(read('checkpoints/%d/inclusion/%s' % (n, leaf['code'])))
            path = [bytes.fromhex(h) for h in proof['path'] if HEX64.fullmatch(h)]
            got = root_from_path(proof['leafIndex'], latest['treeSize'], leaf_hash(leaf), path)
            assert got and got.hex() == latest['root'], 'the audit path does not lead to the root'
        except (Bad, ValueError, KeyError, TypeError, AssertionError) as e:
            fail('INCLUSION_FAILED', leaf['slug'], 'inclusion proof: %s' % e, n)
    for file in sorted(glob.glob(os.path.join(args.saved, 'checkpoints', '*.json')) if args.saved else []):
        try:
            with open(file, encoding='utf-8') as f:
                saved = parse(f.read(), file)
        except (OSError, ValueError, Bad) as e:
            fail('CHECKPOINT_DAMAGED', '(checkpoint)', e, 'saved')
            continue
        m = saved['number']
        if m in args.seen or not head_ok(saved, 'saved %d' % m):
            continue
        args.seen.add(m)
        if m > n:
            fail('HISTORY_FORKED', '(checkpoint)', "saved %d is newer than the server's latest %d: history rolled back"
                 % (m, n), m)
            continue
        try:
            there = parse(read('checkpoints/%d.json' % m), 'checkpoints/%d.json' % m)
            if any(there[k] != saved[k] for k in ('root', 'timestamp', 'treeSize')):
                fail('HISTORY_FORKED', '(checkpoint)', "the server's number %d is not the one saved (root %s, saved "
                     '%s): two histories under one number' % (m, there['root'][:16], saved['root'][:16]), m)
        except Bad as e:
            fail('HISTORY_FORKED', '(checkpoint)', 'the server no longer has number %d: %s' % (m, e), m)
        now = {l['code']: l for l in latest['leaves']}
        for leaf in saved['leaves']:
            if leaf['code'] not in now or now[leaf['code']]['length'] < leaf['length']:
                fail('HISTORY_REWRITTEN', leaf['slug'], 'the chain is gone, or shorter than the %d publications saved'
                     % leaf['length'], m)
                continue
            pubs, _ = chain_of(leaf['slug'])
            if pubs.get(leaf['length'], (0,) * 4)[3] == leaf['head']:
                continue
            try:  # which month changed: the first position where the saved files and today's differ
                old = {p[0]: p for p in walk(reader(args.saved), leaf['slug'], catalog(reader(args.saved)))[0]}
                first = next(p for s, p in sorted(pubs.items())
                             if s <= leaf['length'] and s in old and old[s][3] != p[3])
                where = '%s %s r%d' % (leaf['slug'], first[1], first[2])
            except (Bad, ValueError, KeyError, TypeError, StopIteration):
                where = leaf['slug']
            fail('HISTORY_REWRITTEN', where, 'the head saved at position %d (%s) is not in the chain published now'
                 % (leaf['length'], leaf['head'][:16]), m)
        if m == n:
            continue
        try:
            proof = {v['code']: v for v in json.loads(read('checkpoints/%d/consistency/%d' % (n, m)))['villages']}
            leads = lambda p, cp, leaf: root_from_path(p['leafIndex'], cp['treeSize'], leaf_hash(leaf), [
                bytes.fromhex(h) for h in p['path']]) == bytes.fromhex(cp['root'])
            for leaf in saved['leaves']:
                if leaf['code'] not in now:
                    continue  # already HISTORY_REWRITTEN
                v, new, (pubs, _) = proof[leaf['code']], now[leaf['code']], chain_of(leaf['slug'])
                # both audit paths lead to their roots, and the digests between are today's chain from the old head
                ok = (leads(v['from'], saved, leaf) and leads(v['to'], latest, new)
                      and v['chain'] == [pubs.get(s, (0,) * 4)[3] for s in range(leaf['length'], new['length'] + 1)]
                      and v['chain'][0] == leaf['head'] and v['chain'][-1] == new['head'])
                if not ok:
                    fail('CONSISTENCY_FAILED', leaf['slug'], 'the proof from %d to %d does not hold' % (m, n), n)
        except (Bad, ValueError, KeyError, TypeError, AttributeError) as e:
            fail('CONSISTENCY_FAILED', '(checkpoint)', 'the proof from %d to %d is unreadable: %s' % (m, n, e), n)
    return fails, notes


def main(argv):
    p = argparse.ArgumentParser(description='Check signed checkpoints (docs/DIGEST.md).')
    p.add_argument('root', nargs='?', default='http://localhost:4321/data/')
    p.add_argument('--key', help='the public key you trust (PEM); default the one saved in --saved')
    p.add_argument('--saved', help='a mirror saved earlier: its checkpoints must still hold')
    p.add_argument('--save', help='keep a copy of every file read here, to use as --saved later')
    p.add_argument('--max-age', type=float, help='FAIL when the latest checkpoint is older than this many hours')
    args = p.parse_args(argv)
    args.seen = set()
    try:
        fails, notes = check(args)
    except Exception as e:  # a bug or something unforeseen: still a named failure, never a traceback or a pass
        fails, notes = ['FAIL (checkpoint) CHECKPOINT_DAMAGED verification stopped: %r' % e], []
    print(''.join(x + '\n' for x in ['NOTE ' + n for n in notes] + fails), end='')
    print('checkpoints: %s' % ('%d problem(s)' % len(fails) if fails else 'all hold'))
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
