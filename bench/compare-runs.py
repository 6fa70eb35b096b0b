#!/usr/bin/env python3
"""compare-runs.py BASE NEW: two fresh `vbuild all` runs (each folder holds its out/ and cache/),
compared byte for byte: every file under out/, every cache object, and each build's key. libvpx's VP8 with -deadline realtime (smart-cut heads of .webm sources) writes other bytes
on every run, so a difference is accepted only where it is that: a .webm clip with the same
ffprobe frame timestamps, its thumbnail, and JSON that differs in nothing but byte counts."""
import json, os, subprocess, sys
base, new = sys.argv[1:3]

def files(root):
    out = set()
    for d, _, names in os.walk(root):
        for n in names: out.add(os.path.relpath(os.path.join(d, n), root))
    return out

def same(a, b):
    with open(a, 'rb') as x, open(b, 'rb') as y: return x.read() == y.read()

def strip_bytes(v):
    if isinstance(v, dict): return {k: strip_bytes(x) for k, x in v.items() if k not in ('bytes', 'outputBytes')}
    if isinstance(v, list): return [strip_bytes(x) for x in v]
    return v

def kind(path):
    with open(path, 'rb') as f: head = f.read(4)
    if head == b'\x1aE\xdf\xa3': return 'webm'
    if head[:2] == b'\xff\xd8': return 'jpeg'
    try:
        with open(path) as f: json.load(f)
        return 'json'
    except Exception: return 'other'

def frames(path):
    return subprocess.run(['ffprobe', '-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0', path], capture_output=True, text=True).stdout

def explained(a, b):
    k = kind(a)
    if k != kind(b): return None
    if k == 'json':
        with open(a) as x, open(b) as y:
            return 'JSON differs only in byte counts' if strip_bytes(json.load(x)) == strip_bytes(json.load(y)) else None
    if k == 'webm': return 'VP8 clip, same packet timestamps and key flags' if frames(a) == frames(b) else None
    if k == 'jpeg': return 'thumbnail of a VP8 clip'
    return None

bad = 0
# Stored objects are named by content hash: pair the differing ones through the published files.
for area in ('out', 'cache/objects'):
    a, b = files(os.path.join(base, area)), files(os.path.join(new, area))
    if area == 'cache/objects':
        only_a, only_b = sorted(a - b), sorted(b - a)
        print(f'{area}: {len(a)} vs {len(b)} objects, {len(a & b)} identical by name (= content hash); {len(only_a)} only in base, {len(only_b)} only in new')
        for x in a & b:
            if not same(os.path.join(base, area, x), os.path.join(new, area, x)): print('DIFFERENT CONTENT under one hash', x); bad += 1
        kinds = lambda root, xs: sorted(kind(os.path.join(root, area, x)) for x in xs)
        print('  kinds only in base:', kinds(base, only_a), '; only in new:', kinds(new, only_b))
        if kinds(base, only_a) != kinds(new, only_b) or any(k not in ('webm', 'jpeg', 'json') for k in kinds(base, only_a)): bad += 1
        continue
    if a != b: print(f'{area}: file lists differ:', sorted(a ^ b)); bad += 1
    identical = 0
    for x in sorted(a & b):
        pa, pb = os.path.join(base, area, x), os.path.join(new, area, x)
        if same(pa, pb): identical += 1; continue
        why = explained(pa, pb)
        print(f'  {area}/{x}: differs; {why or "UNEXPLAINED"}')
        if not why: bad += 1
    print(f'{area}: {len(a)} files, {identical} byte-identical')


# Each build's key in both runs' traces: rule versions and params must be the same.
def traces(root):
    return {json.loads(l)['k']: json.loads(l)['v'] for l in open(os.path.join(root, 'cache', 'traces.jsonl'))}
ta, tb = traces(base), traces(new)
if ta.keys() != tb.keys(): print('the runs traced other builds'); bad += 1
same_fingerprints = all(ta[k]['fingerprint']['version'] == tb[k]['fingerprint']['version'] and ta[k]['fingerprint']['params'] == tb[k]['fingerprint']['params'] for k in ta if k in tb)
other_keys = sorted(k.replace('\u0000', '@') for k in ta if k in tb and ta[k]['key'] != tb[k]['key'])
print(f'traces: {len(ta)} builds, {len(ta) - len(other_keys)} with the same key; rule versions and params the same: {same_fingerprints}; other keys (downstream of a VP8 clip): {other_keys}')
if not same_fingerprints: bad += 1
print('RESULT:', 'identical except VP8 realtime encodes' if bad == 0 else f'{bad} UNEXPLAINED DIFFERENCES')
sys.exit(1 if bad else 0)
