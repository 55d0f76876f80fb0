#!/usr/bin/env python3
"""The diagnostic budget of a broken static model, checked on every public entry point.

For each tests/compile_fail/entry_*.cpp (one entry point used on a broken model), compiles it with
g++ and, if found, clang++ (-fsyntax-only, carets and colours off, LC_ALL=C, as the compile-fail
harness does) and checks what the product promises:

  - the code does not compile;
  - the first line containing `error:` contains the rule's text (line 3 of the file: `// RULE: <text>`);
  - at most 2 lines contain `error:`;
  - the whole log is under 30,000 bytes;
  - on g++, the dotted path of the failing layer appears, as the quoted path string GCC prints in
    detail::shape_mismatch<...> (line 4 of the file: `// PATH: <dotted path>`).

Prints one line per file and compiler (error count, log size, verdict); on a violation also the first
3 error lines. Exits 1 on any violation, 2 on a usage problem (no entry files, no g++, a file without
its RULE/PATH lines).

    python3 tools/check_diagnostics.py --include include [--jobs 2] [--cxx g++] [--clang clang++]
"""
import argparse
import concurrent.futures
import os
import pathlib
import re
import shutil
import subprocess
import sys

MAX_ERRORS = 2
MAX_BYTES = 30_000

REPO = pathlib.Path(__file__).resolve().parent.parent

GCC_FLAGS = ["-std=c++20", "-fsyntax-only", "-fno-diagnostics-show-caret", "-fdiagnostics-color=never"]
CLANG_FLAGS = ["-std=c++20", "-fsyntax-only", "-fno-caret-diagnostics", "-fno-color-diagnostics"]


def header_field(lines, index, key, path):
    """`// KEY: value` on line index+1 (0-based index)."""
    if len(lines) > index:
        m = re.match(r"//\s*" + key + r":\s*(.*\S)\s*$", lines[index])
        if m:
            return m.group(1)
    raise ValueError(f"{path}: line {index + 1} must be `// {key}: <text>`")


def compile_one(task):
    """Compiles one (file, compiler) pair; returns (task, returncode, log bytes)."""
    source, label, command = task
    env = dict(os.environ, LC_ALL="C", LANG="C", GCC_COLORS="", CLICOLOR_FORCE="0")
    try:
        proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, timeout=600)
        return task, proc.returncode, proc.stdout
    except subprocess.TimeoutExpired as e:
        return task, None, (e.stdout or b"") + b"\n[check_diagnostics: timed out after 600 s]\n"


def check(source, label, returncode, log, rule, path):
    """The budget's violations for one log (empty list: within budget)."""
    text = log.decode("utf-8", errors="replace")
    error_lines = [line for line in text.splitlines() if "error:" in line]
    problems = []
    if returncode is None:
        problems.append("compiler timed out")
    elif returncode == 0:
        problems.append("compiled without error (the model should be rejected)")
    if not error_lines:
        if returncode != 0:
            problems.append("no `error:` line")
    elif rule not in error_lines[0]:
        problems.append(f"first error is not the rule `{rule}`")
    if len(error_lines) > MAX_ERRORS:
        problems.append(f"{len(error_lines)} error lines > {MAX_ERRORS}")
    if len(log) >= MAX_BYTES:
        problems.append(f"log {len(log)} B >= {MAX_BYTES} B")
    if label == "g++" and f'"{path}"' not in text:
        problems.append(f'dotted path "{path}" not shown')
    return error_lines, problems


def find_clang(explicit):
    if explicit is not None:
        return explicit or None  # --clang '' disables clang
    for name in ("clang++", "clang++-14", "clang++-15", "clang++-16", "clang++-17", "clang++-18"):
        found = shutil.which(name)
        if found:
            return found
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--include", action="append", default=None,
                        help="include directory (repeatable; default: <repo>/include)")
    parser.add_argument("--dir", default=str(REPO / "tests" / "compile_fail"), help="where the entry_*.cpp files are")
    parser.add_argument("--cxx", default="g++", help="GCC's C++ driver (default: g++)")
    parser.add_argument("--clang", default=None, help="clang++ to use (default: found on PATH; '' to skip)")
    parser.add_argument("--jobs", type=int, default=2, help="compilations at once (default: 2)")
    args = parser.parse_args()

    includes = args.include or [str(REPO / "include")]
    include_flags = [f"-I{d}" for d in includes]
    sources = sorted(pathlib.Path(args.dir).glob("entry_*.cpp"))
    if not sources:
        print(f"check_diagnostics: no entry_*.cpp in {args.dir}", file=sys.stderr)
        return 2
    gxx = shutil.which(args.cxx)
    if not gxx:
        print(f"check_diagnostics: {args.cxx} not found", file=sys.stderr)
        return 2
    clang = find_clang(args.clang)
    compilers = [("g++", gxx, GCC_FLAGS)] + ([("clang++", clang, CLANG_FLAGS)] if clang else [])

    expected = {}
    try:
        for source in sources:
            lines = source.read_text().splitlines()
            expected[source] = (header_field(lines, 2, "RULE", source), header_field(lines, 3, "PATH", source))
    except ValueError as e:
        print(f"check_diagnostics: {e}", file=sys.stderr)
        return 2

    tasks = [(source, label, [exe, *flags, *include_flags, str(source)])
             for source in sources for label, exe, flags in compilers]
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(compile_one, tasks))  # in task order: file by file, g++ then clang++

    print(f"budget: <= {MAX_ERRORS} error lines, < {MAX_BYTES} bytes, rule first, path shown on g++")
    print(f"compilers: {' | '.join(f'{label}={exe}' for label, exe, _ in compilers)}")
    if not clang:
        print("clang++: " + ("skipped (--clang '')" if args.clang == "" else "not found") + ", g++ only")
    width = max(len(s.name) for s in sources)
    failures = 0
    for (source, label, _), returncode, log in results:
        rule, path = expected[source]
        error_lines, problems = check(source, label, returncode, log, rule, path)
        verdict = "ok" if not problems else "FAIL: " + "; ".join(problems)
        print(f"{source.name:<{width}}  {label:<7}  errors {len(error_lines):>2}  log {len(log):>7} B  {verdict}")
        if problems:
            failures += 1
            for line in error_lines[:3]:
                print(f"    | {line[:400]}{' ...' if len(line) > 400 else ''}")
    print(f"{len(results) - failures}/{len(results)} within budget")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
