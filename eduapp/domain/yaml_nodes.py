"""Reading YAML with the nodes kept, so that every problem can name its line.

Both the question bank's YAML format and case-study files read a document and its node tree in one
pass (the C loader when PyYAML has it); a file that is not UTF-8 or not YAML is one problem that names
where the parser stopped, never the parser's English wording.
"""

from __future__ import annotations

import yaml

from eduapp.domain.problems import N_, Problem

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(data: bytes) -> tuple[object, yaml.Node | None, Problem | None]:
    """(document, root node, None), or (None, None, the problem) when the bytes cannot be read."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, None, Problem(N_("The file is not UTF-8 text."), {}, "file", None)
    try:
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
            document = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        if mark is None:
            return None, None, Problem(N_("The file cannot be read as YAML."), {}, "file", None)
        return None, None, Problem(
            N_("The YAML cannot be read at line %(line)s, column %(column)s: check the indentation, the colons "
               "and the quotes there."), {"line": mark.line + 1, "column": mark.column + 1}, "file", mark.line + 1)
    return document, root, None
