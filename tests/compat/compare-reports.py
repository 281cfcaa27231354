#!/usr/bin/python3
# compare-reports.py: compare the report of the reference (Debian's libkmod) with ours, line by
# line, and fail on any difference that the documented-differences file does not allow. Prints
# the first differing lines, each with the block it belongs to, so a failure reads on its own.
#
# Usage: compare-reports.py [--allowed FILE] [--max N] [--label NAME] REFERENCE OURS
#        compare-reports.py --self-test
#
# Reports are line oriented. A line that starts with two spaces belongs to the block opened by
# the last line that does not ("module ext4", "probe name dummy"); rules match against
# "<block> | <line>" for those lines and against the line itself otherwise.
#
# The allowed-differences file: blocks of "# reason" comment lines followed by one or more
# Python regular expressions (re.search). Every rule must have a reason; blank lines separate
# blocks. A differing line is allowed when one rule matches it; a rule that allows nothing is
# reported (so the file shrinks when the library changes) but does not fail the test.
import argparse
import os
import re
import subprocess
import sys
import tempfile


def load_rules(path):
    rules, reason = [], []
    with open(path, encoding='utf-8') as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip('\n')
            if not line.strip():
                reason = []
                continue
            if line.startswith('#'):
                reason.append(line[1:].strip())
                continue
            if not reason:
                sys.exit(f'{path}:{n}: a rule without a reason comment above it')
            try:
                rules.append({'re': re.compile(line), 'text': line, 'reason': ' '.join(reason),
                              'where': f'{os.path.basename(path)}:{n}', 'used': 0})
            except re.error as e:
                sys.exit(f'{path}:{n}: bad regular expression: {e}')
    return rules


def blocks(path):
    """For each line (1-based), the header of the block it belongs to."""
    heads = [None]
    head = ''
    with open(path, encoding='utf-8', errors='surrogateescape') as f:
        for line in f:
            line = line.rstrip('\n')
            if not line.startswith('  '):
                head = line
            heads.append(head)
    return heads


def keyed(line, head):
    return f'{head} | {line}' if line.startswith('  ') else line


def diff_lines(ref, ours):
    """Differing lines as (side, line number, text), side '-' for the reference, '+' for ours."""
    p = subprocess.run(['diff', '-U0', ref, ours], stdout=subprocess.PIPE,
                       errors='surrogateescape', text=True)
    if p.returncode > 1:
        sys.exit(f'diff failed with status {p.returncode}')
    out, a, b = [], 0, 0
    for line in p.stdout.splitlines():
        if line.startswith('@@'):
            m = re.match(r'@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@', line)
            # A side with ",0" has no lines in this hunk, so its start never gets used.
            a, b = int(m.group(1)), int(m.group(2))
        elif line.startswith('---') or line.startswith('+++'):
            continue
        elif line.startswith('-'):
            out.append(('-', a, line[1:]))
            a += 1
        elif line.startswith('+'):
            out.append(('+', b, line[1:]))
            b += 1
    return out


def compare(ref, ours, rules, max_shown, label):
    if subprocess.run(['cmp', '-s', ref, ours]).returncode == 0:
        with open(ref, 'rb') as f:
            n = sum(1 for _ in f)
        print(f'{label}: identical ({n} lines)')
        return 0
    heads = {'-': blocks(ref), '+': blocks(ours)}
    bad = []
    allowed = 0
    for side, n, text in diff_lines(ref, ours):
        head = heads[side][n] if n < len(heads[side]) else ''
        key = keyed(text, head)
        rule = next((r for r in rules if r['re'].search(key)), None)
        if rule:
            rule['used'] += 1
            allowed += 1
        else:
            bad.append((side, n, head, text))
    for r in rules:
        if r['used']:
            print(f'{label}: allowed {r["used"]} line(s) by {r["where"]} ({r["reason"]})')
        else:
            print(f'{label}: note: rule {r["where"]} allowed nothing: {r["text"]}')
    if not bad:
        print(f'{label}: equal but for {allowed} documented line(s)')
        return 0
    # Where they are, by kind ("module/softdeps", "lookup"), to see at once what to look at.
    kinds = {}
    for side, n, head, text in bad:
        words = (text.split() or ['(empty)'])[0]
        if not text.startswith('  '):
            kind = words
        elif head.startswith('check '):
            kind = ' '.join(head.split()[:3])  # "check <client> <stream>"
        else:
            kind = f'{(head.split() or ["(top)"])[0]}/{words}'  # "module/softdeps"
        kinds[kind] = kinds.get(kind, 0) + 1
    summary = ', '.join(f'{k} {v}' for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])[:12])
    print(f'{label}: FAIL: {len(bad)} undocumented differing line(s), by kind: {summary}')
    print(f'{label}: the first {min(max_shown, len(bad))}:')
    print(f'  (- {ref})\n  (+ {ours})')
    last_head = None
    for side, n, head, text in bad[:max_shown]:
        if text.startswith('  ') and head != last_head:
            print(f'  in "{head}":')
            last_head = head
        who = 'reference' if side == '-' else 'ours     '
        print(f'  {side} {who} line {n}: {text}')
    return 1


def self_test():
    """The checker must pass equal reports, fail a change, and honour a documented rule."""
    with tempfile.TemporaryDirectory() as d:
        def write(name, text):
            p = os.path.join(d, name)
            with open(p, 'w') as f:
                f.write(text)
            return p
        base = 'module a\n  deps x y\nmodule b\n  softdeps ret=0 pre: c post:\nend\n'
        ref = write('ref', base)
        same = write('same', base)
        changed = write('changed', base.replace('deps x y', 'deps y x'))
        documented = write('doc', base.replace('pre: c post', 'pre: c d post'))
        extra = write('extra', base + 'lookup z ret=0: z\n')
        rules = write('rules', '# softdep lines merge\n^module b \\|   softdeps \n')
        failures = 0

        def expect(what, got, want):
            nonlocal failures
            if got != want:
                print(f'self-test: {what}: got {got}, want {want}')
                failures += 1
        expect('equal reports', compare(ref, same, [], 5, 'self-test'), 0)
        expect('a changed line', compare(ref, changed, [], 5, 'self-test'), 1)
        expect('undocumented softdep', compare(ref, documented, [], 5, 'self-test'), 1)
        expect('documented softdep', compare(ref, documented, load_rules(rules), 5, 'self-test'), 0)
        expect('a line only ours has', compare(ref, extra, load_rules(rules), 5, 'self-test'), 1)
        print('self-test:', 'PASS' if not failures else 'FAIL')
        return 1 if failures else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--allowed', help='documented differences file')
    ap.add_argument('--max', type=int, default=40, help='differing lines to show')
    ap.add_argument('--label', default='compare')
    ap.add_argument('--self-test', action='store_true')
    ap.add_argument('reference', nargs='?')
    ap.add_argument('ours', nargs='?')
    args = ap.parse_args()
    if args.self_test:
        return self_test()
    if not args.reference or not args.ours:
        ap.error('REFERENCE and OURS are required')
    rules = load_rules(args.allowed) if args.allowed else []
    return compare(args.reference, args.ours, rules, args.max, args.label)


if __name__ == '__main__':
    sys.exit(main())
