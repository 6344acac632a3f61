"""The one error class of symcnn: every problem with user input is reported through it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(eq=False)
class SymcnnError(Exception):
    """A problem with the user's network, values or command line.

    The fields carry what went wrong and where; ``str()`` builds the message,
    quoting the offending line with a caret under the problem::

        >>> import symcnn
        >>> try:
        ...     symcnn.parse("conv3-")
        ... except symcnn.SymcnnError as error:
        ...     print(error)
        syntax error at line 1, column 7: unexpected end of input; expected a value (a number, a name or a {braced expression})
          conv3-
                ^
        hint: a convolution is conv<k>-<n>, for example conv3-64
    """

    message: str
    kind: str = "error"
    text: str | None = None
    line: int | None = None
    column: int | None = None
    hint: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.line is not None and self.column is not None:
            where = f" at line {self.line}, column {self.column}"
        parts = [f"{self.kind}{where}: {self.message}"]
        if self.text is not None and self.line is not None and self.column is not None:
            lines = self.text.split("\n")
            if 1 <= self.line <= len(lines):
                source = lines[self.line - 1].replace("\t", " ").rstrip("\r")
                start = max(0, self.column - 60)
                snippet = source[start : start + 120]
                prefix = "…" if start else ""
                parts.append("  " + prefix + snippet)
                parts.append("  " + " " * (len(prefix) + self.column - 1 - start) + "^")
        if self.hint:
            parts.append(f"hint: {self.hint}")
        return "\n".join(parts)
