"""Which cells of a solution notebook show outputs that the learner's code would produce.

``build-lessons`` clears those outputs in ``lessons/``, so that a lesson does not show the answers
(lesson 03 used to print the learner's gradients before a line was written). The analysis is
static, on the cells' code: see ``solution_dependent_cells``.
"""

from __future__ import annotations

import ast
import builtins
import re
from typing import Callable

from .notebook import BEGIN_SOLUTION, check_cell_exercise


class _CellNames(ast.NodeVisitor):
    """What one statement of a cell binds at top level, loads anywhere, and may change in place.

    ``functions`` maps each function or class the cell defines to the global names its body loads:
    they are looked up when it is *called*, so a later cell that calls it depends on them then.
    """

    def __init__(self) -> None:
        self.bound: set[str] = set()
        self.loaded: set[str] = set()
        # Calls: (names the callee loads, names its arguments load, bare names passed, receiver of a
        # method call); stores into an item or attribute: (the object's name, names the value loads).
        self.calls: list[tuple[set[str], set[str], set[str], str | None]] = []
        self.stores: list[tuple[str, set[str]]] = []
        self.imported: set[str] = set()
        self.functions: dict[str, set[str]] = {}
        self._depth = 0

    def _bind(self, name: str) -> None:
        if self._depth == 0:
            self.bound.add(name)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self.loaded.add(node.id)
        else:
            self._bind(node.id)

    def _inside(self, node: ast.AST) -> tuple[_CellNames, set[str]]:
        """The names of a nested scope's body, and the names local to it (assigned, or arguments)."""
        inner = _CellNames()
        inner._depth = self._depth + 1
        for child in ast.iter_child_nodes(node):
            inner.visit(child)
        local = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
        local |= {a.arg for a in ast.walk(node) if isinstance(a, ast.arg)}
        return inner, local

    def _definition(self, node: ast.AST, name: str) -> None:
        self._bind(name)
        inner, local = self._inside(node)
        free = inner.loaded - local
        self.loaded |= free
        if self._depth == 0:
            self.functions[name] = free

    def _own_scope(self, node: ast.AST) -> None:
        """A comprehension or lambda: its loop variables and arguments are its own."""
        inner, local = self._inside(node)
        self.loaded |= inner.loaded - local
        self.calls += [(c - local, a - local, p - local, r if r not in local else None) for c, a, p, r in inner.calls]
        self.stores += [(n, v - local) for n, v in inner.stores if n not in local]

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_Lambda = _own_scope

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._definition(node, node.name)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._definition(node, node.name)

    def visit_For(self, node: ast.For) -> None:
        # The loop variables are bound before the body reads them: reading them there is no use of
        # whatever they held before the loop.
        self.visit(node.iter)
        self.visit(node.target)
        before = set(self.loaded)
        for child in [*node.body, *node.orelse]:
            self.visit(child)
        loop_vars = {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
        self.loaded = before | ((self.loaded - before) - loop_vars)

    visit_AsyncFor = visit_For

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            name = alias.asname or alias.name.split(".")[0]
            self._bind(name)
            self.imported.add(name)

    visit_ImportFrom = visit_Import

    @staticmethod
    def _loads(node: ast.AST) -> set[str]:
        return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}

    def visit_Call(self, node: ast.Call) -> None:
        args = [a.value if isinstance(a, ast.Starred) else a for a in [*node.args, *(k.value for k in node.keywords)]]
        receiver = None
        if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
            receiver = node.func.value.id  # model.load_state_dict(...), history.append(...)
        self.calls.append((self._loads(node.func), set().union(*map(self._loads, args)),
                           {a.id for a in args if isinstance(a, ast.Name)}, receiver))
        self.generic_visit(node)

    def _store(self, target: ast.AST, value: ast.AST | None) -> None:
        if not isinstance(target, (ast.Attribute, ast.Subscript)):
            return
        loads = self._loads(target) | (self._loads(value) if value is not None else set())
        while isinstance(target, (ast.Attribute, ast.Subscript)):
            target = target.value
        if isinstance(target, ast.Name):
            self.stores.append((target.id, loads))

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._store(target, node.value)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._store(node.target, node.value)
        if isinstance(node.target, ast.Name):
            self.loaded.add(node.target.id)
        self.generic_visit(node)

    def changed(self, is_tainted: Callable[[set[str]], bool]) -> set[str]:
        """The names this statement may change with the help of tainted code or values.

        A bare name passed to a tainted callable (``fit(model, ...)``); the object of a method
        call that involves a tainted name (``model.load_state_dict(learners_state)``); the object
        of an item or attribute set to a tainted value.
        """
        out: set[str] = set()
        for callee, arg_loads, passed, receiver in self.calls:
            if is_tainted(callee):
                out |= passed
            if receiver is not None and is_tainted(callee | arg_loads):
                out.add(receiver)
        out |= {name for name, loads in self.stores if is_tainted(loads)}
        return out


def _statement_names(source: str) -> list[_CellNames] | None:
    """The names of each top-level statement of a cell (IPython syntax such as ``%magic`` allowed).

    None if the cell does not parse.
    """
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        tree = ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError):
        return None
    statements = []
    for statement in tree.body:
        names = _CellNames()
        names.visit(statement)
        statements.append(names)
    return statements


def solution_dependent_cells(cells: list[dict]) -> set[int]:
    """The indices of the code cells whose outputs depend on a solution region.

    A cell with a solution region *taints* every name it binds. Going down the notebook, statement
    by statement, a statement is dependent when it loads a tainted name, directly or through the
    functions and classes it uses (their bodies' names are looked up when they are called); a
    dependent statement taints what it binds and what it may change in place (the names it passes
    to calls, calls methods on, or sets items or attributes of -- other than imported modules), and
    makes its cell's outputs dependent. A statement that depends on nothing tainted makes the names
    it binds clean again (``from minitorch import Value`` after the learner's ``Value``). Check cells
    and exercise cells are dependent. A cell that does not parse is dependent when it mentions a
    tainted name. Not followed: hidden state such as the global random generator.
    """
    tainted: set[str] = set()
    calls: dict[str, set[str]] = {}  # function/class name -> global names its body loads
    imported: set[str] = set()
    dependent: set[int] = set()
    builtin_names = set(dir(builtins))

    def is_tainted(loaded: set[str]) -> bool:
        """Whether these names, or the names the functions among them look up when called, are tainted."""
        seen, frontier = set(), set(loaded)
        while frontier:
            name = frontier.pop()
            if name not in seen:
                seen.add(name)
                frontier |= calls.get(name, set()) - seen
        return bool(seen & tainted)

    for index, cell in enumerate(cells):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        check = check_cell_exercise(source) is not None
        exercise = BEGIN_SOLUTION in source
        if exercise or check:
            dependent.add(index)
        statements = _statement_names(source)
        if statements is None:
            if any(re.search(rf"\b{re.escape(name)}\b", source) for name in tainted):
                dependent.add(index)
            continue
        for names in statements:
            imported |= names.imported
            calls.update(names.functions)
            if check:
                continue
            if exercise or is_tainted(names.loaded):
                dependent.add(index)
                tainted |= names.bound | (names.changed(is_tainted) - imported - builtin_names)
            else:
                tainted -= names.bound
    return dependent
