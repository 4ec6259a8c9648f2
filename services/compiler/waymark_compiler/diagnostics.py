"""Diagnostics: what the compiler says about a workflow it refuses, and how it is shown (ruff style).

WM101 datetime.now() is nondeterministic
  --> flows/bad_now.py:16:22
   |
16 |         pickup_day = datetime.now().strftime("%A")
   |                      ^^^^^^^^^^^^^^
   |
   = help: move it into an @action and await the result
"""

from __future__ import annotations

from dataclasses import dataclass

from waymark_ir import pb

from waymark_compiler.source import SourceFile, Span


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    help: str
    filename: str
    span: Span
    workflow: str = ""
    source_line: str = ""  # the text of span.line, for the caret frame

    @classmethod
    def at(cls, source: SourceFile, span: Span, code: str, message: str, help: str, workflow: str = "") -> Diagnostic:
        return cls(code, message, help, source.filename, span, workflow, source.line_text(span.line))

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.filename, self.span.line, self.span.col, self.code)

    def render(self) -> str:
        return render(self)

    def to_pb(self) -> pb.Diagnostic:
        return pb.Diagnostic(
            code=self.code,
            message=self.message,
            help=self.help,
            filename=self.filename,
            line=self.span.line,
            col=self.span.col,
            end_line=self.span.end_line,
            end_col=self.span.end_col,
            workflow=self.workflow,
            rendered=self.render(),
        )


def render(diag: Diagnostic) -> str:
    """Plain text (no colour); `waymark check` colours it on a terminal."""
    span = diag.span
    gutter = " " * len(str(span.line))
    text = diag.source_line.rstrip("\n")
    shown = text.expandtabs(4)
    lines = [f"{diag.code} {diag.message}", f"{gutter}--> {diag.filename}:{span.line}:{span.col}"]
    if text:
        start = len(text[: span.col - 1].expandtabs(4))
        last = span.end_col - 1 if span.end_line == span.line else len(text)
        width = max(1, len(text[: max(last, span.col)].expandtabs(4)) - start)
        shown, start, width = _window(shown, start, width)
        lines += [f"{gutter} |", f"{span.line} | {shown}", f"{gutter} | {' ' * start}{'^' * width}", f"{gutter} |"]
    if diag.help:
        lines.append(f"{gutter} = help: {diag.help}")
    return "\n".join(lines)


#: Longest source line shown in a frame; longer ones are cut around the span (a 5000-character literal ...).
MAX_SHOWN = 160


def _window(shown: str, start: int, width: int) -> tuple[str, int, int]:
    if len(shown) <= MAX_SHOWN:
        return shown, start, width
    begin = max(0, start - 40)
    end = min(len(shown), begin + MAX_SHOWN)
    cut = ("..." if begin else "") + shown[begin:end] + ("..." if end < len(shown) else "")
    offset = start - begin + (3 if begin else 0)
    return cut, offset, max(1, min(width, end - start))


def render_all(diagnostics: list[Diagnostic]) -> str:
    return "\n\n".join(d.render() for d in diagnostics)
