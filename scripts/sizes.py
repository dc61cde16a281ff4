"""Report modules over 600 lines and functions over 80 that give no reason for their length.

A function's lines are counted from its first decorator to its end, its docstring left out
(examples in docstrings are documentation, not length); a module's lines are all its lines.

A module or function gives its reason in its docstring, in a paragraph that starts with
``Length:``, for example::

    def count_many(...):
        \"\"\"Count many volunteers' records at once.

        Length: one pass over the records, on purpose: a second pass costs 0.3 s a million
        records (docs/benchmarks.md).
        \"\"\"

Run:  python scripts/sizes.py [PATH ...]      (default: src/volunteer_rules)
      python scripts/sizes.py --strict        (exit status 1 when anything is listed)

scripts/test.sh runs it with ``--strict``: anything listed fails the run.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
MARKER = "Length:"


@dataclass(frozen=True)
class Finding:
    """One module or function over its limit with no reason given."""

    kind: str  # "module" or "function"
    path: str
    line: int
    name: str
    lines: int

    def __str__(self) -> str:
        return f"{self.kind:<8} {self.lines:>5} lines  {self.path}:{self.line}  {self.name}"


def gives_reason(docstring: str | None) -> bool:
    """Whether a docstring has a paragraph that starts with the marker ``Length:``."""
    if not docstring:
        return False
    paragraphs = [part.strip() for part in docstring.split("\n\n")]
    return any(paragraph.startswith(MARKER) for paragraph in paragraphs)


def _functions(tree: ast.AST, prefix: str = "") -> Iterator[tuple[str, ast.AST]]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            name = prefix + node.name
            yield name, node
            yield from _functions(node, name + ".")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, prefix + node.name + ".")
        else:
            yield from _functions(node, prefix)


def _code_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of a function from its decorators to its end, its docstring left out."""
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    length = (node.end_lineno or node.lineno) - first + 1
    body = node.body[0]
    is_docstring = isinstance(body, ast.Expr) and isinstance(body.value, ast.Constant)
    if is_docstring and isinstance(body.value.value, str):  # type: ignore[attr-defined]
        length -= (body.end_lineno or body.lineno) - body.lineno + 1
    return length


def check_file(
    path: Path,
    shown: str,
    max_module: int = MAX_MODULE_LINES,
    max_function: int = MAX_FUNCTION_LINES,
) -> list[Finding]:
    """The findings of one Python file (``shown`` is the path written in the report)."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    findings: list[Finding] = []
    module_lines = len(source.splitlines())
    if module_lines > max_module and not gives_reason(ast.get_docstring(tree)):
        findings.append(Finding("module", shown, 1, path.stem, module_lines))
    for name, node in _functions(tree):
        assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        length = _code_lines(node)
        if length > max_function and not gives_reason(ast.get_docstring(node)):
            findings.append(Finding("function", shown, node.lineno, name, length))
    return findings


def check(
    paths: Sequence[Path],
    max_module: int = MAX_MODULE_LINES,
    max_function: int = MAX_FUNCTION_LINES,
) -> list[Finding]:
    """The findings of every ``.py`` file under ``paths`` (files or folders), in path order."""
    findings: list[Finding] = []
    for root in paths:
        files = sorted(root.rglob("*.py")) if root.is_dir() else [root]
        for file in files:
            findings.extend(check_file(file, file.as_posix(), max_module, max_function))
    return findings


def main(argv: Sequence[str] | None = None) -> int:
    """Print the report; the exit status is 1 only with ``--strict`` and something listed."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[Path("src/volunteer_rules")])
    parser.add_argument("--max-module", type=int, default=MAX_MODULE_LINES)
    parser.add_argument("--max-function", type=int, default=MAX_FUNCTION_LINES)
    parser.add_argument("--strict", action="store_true", help="exit 1 when anything is listed")
    args = parser.parse_args(argv)
    findings = check(args.paths, args.max_module, args.max_function)
    modules = sum(finding.kind == "module" for finding in findings)
    functions = len(findings) - modules
    print(
        f"sizes: {modules} module(s) over {args.max_module} lines and {functions} function(s) "
        f"over {args.max_function} lines give no reason (a docstring paragraph '{MARKER} ...')"
    )
    for finding in findings:
        print(f"  {finding}")
    return 1 if args.strict and findings else 0


if __name__ == "__main__":
    sys.exit(main())
