"""Safe expressions -> a `Value` graph: `e = a*b; d = e + c; L = d*f` with leaf values.

The text is parsed by Python's `ast` and then walked against a whitelist; nothing is ever
evaluated by Python. Allowed: numbers, names, `+ - * / **` (the exponent a number, optionally
negated), unary minus and plus, and calls of exactly the functions in `FUNCTIONS` with one
argument. Statements are assignments `name = expression`, separated by `;` or new lines; the last
one (or a bare final expression) is the output. Names assigned label their nodes; names never
assigned are the leaves, whose values the caller gives.

Every size is bounded by `ExpressionLimits` (characters, statements, nesting depth, |exponent|,
nodes), checked before the work it bounds. Every failure is an `ExpressionError` naming the
position (line, column, character offset) or the name at fault.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field

from .autograd import Value, topological_order

FUNCTIONS = {
    "exp": Value.exp,
    "log": Value.log,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "relu": Value.relu,
}
ALLOWED = ("numbers, names, + - * / **, unary minus and the functions "
           + ", ".join(FUNCTIONS))
BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
NAME_LIMIT = 40  # characters of one name


@dataclass(frozen=True)
class ExpressionLimits:
    """Bounds on what one expression may cost; the server passes its Settings' values."""
    max_chars: int = 2000
    max_statements: int = 64
    max_depth: int = 64          # nesting of parentheses / operations in one expression
    max_exponent: float = 16.0   # |k| in x ** k
    max_nodes: int = 400         # values in the finished graph (leaves, constants, results)
    max_values: int = 256        # leaf values given


class ExpressionError(ValueError):
    """A bad expression: `message` says what and where; `offset` is the 0-based character
    position (None when it is not about one place), `name` the offending name if any."""

    def __init__(self, message: str, offset: int | None = None, name: str | None = None,
                 line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.message, self.offset, self.name = message, offset, name
        self.line, self.column = line, column

    def detail(self) -> dict:
        return {"message": self.message, "offset": self.offset, "line": self.line,
                "column": self.column, "name": self.name}


@dataclass
class ParsedGraph:
    """The built graph: `output` (the root), `leaves` by name, `exponents` (id of each pow node
    the expression wrote -> its exact exponent, for replaying the forward pass)."""
    output: Value
    leaves: dict[str, Value]
    constants: list[Value]
    exponents: dict[int, float] = field(default_factory=dict)
    output_name: str = ""


class _Source:
    """Character offsets of (line, column) positions in the text, for messages."""

    def __init__(self, text: str):
        self.starts = [0]
        for line in text.split("\n"):
            self.starts.append(self.starts[-1] + len(line) + 1)

    def where(self, node: ast.AST) -> dict:
        line, col = getattr(node, "lineno", 1), getattr(node, "col_offset", 0)
        return {"offset": self.starts[line - 1] + col, "line": line, "column": col + 1}

    def error(self, message: str, node: ast.AST, name: str | None = None) -> ExpressionError:
        w = self.where(node)
        return ExpressionError(f"line {w['line']}, column {w['column']}: {message}",
                               name=name, **w)


def _paren_depth(text: str) -> tuple[int, int]:
    """(deepest nesting of parentheses, offset where it is first reached)."""
    depth = best = at = 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
            if depth > best:
                best, at = depth, i
        elif ch == ")":
            depth -= 1
    return best, at


def _syntax_error(exc: SyntaxError, text: str) -> ExpressionError:
    line = exc.lineno or 1
    col = exc.offset or 1
    starts = _Source(text).starts
    offset = starts[min(line, len(starts)) - 1] + col - 1
    return ExpressionError(f"syntax error at line {line}, column {col}: {exc.msg}",
                           offset=offset, line=line, column=col)


def parse(text: str, limits: ExpressionLimits = ExpressionLimits()) -> tuple[list, _Source]:
    """Parse and check the text; returns [(target name or None, expression AST)] and the
    source positions. Raises ExpressionError."""
    if not isinstance(text, str):
        raise ExpressionError("the expression must be a string")
    if len(text) > limits.max_chars:
        raise ExpressionError(f"the expression has {len(text)} characters; at most "
                              f"{limits.max_chars} are allowed")
    if not text.strip():
        raise ExpressionError("the expression is empty: write e.g. 'L = (a*b + c) * f'")
    depth, at = _paren_depth(text)
    if depth > limits.max_depth:
        raise ExpressionError(f"parentheses nested {depth} deep at character {at}; at most "
                              f"{limits.max_depth} levels are allowed", offset=at)
    try:
        tree = ast.parse(text, mode="exec")
    except SyntaxError as exc:
        raise _syntax_error(exc, text) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError("the expression is too deeply nested to parse") from None
    src = _Source(text)
    if not tree.body:
        raise ExpressionError("the expression is empty: write e.g. 'L = (a*b + c) * f'")
    if len(tree.body) > limits.max_statements:
        raise ExpressionError(f"{len(tree.body)} statements; at most {limits.max_statements} "
                              "are allowed")
    statements = []
    for k, stmt in enumerate(tree.body):
        if isinstance(stmt, ast.Assign):
            if len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
                raise src.error("assign to one plain name, as in 'e = a*b'", stmt)
            target = stmt.targets[0].id
            if target in FUNCTIONS:
                raise src.error(f"'{target}' is a function and cannot be assigned", stmt, target)
            statements.append((target, stmt.value))
        elif isinstance(stmt, ast.Expr) and k == len(tree.body) - 1:
            statements.append((None, stmt.value))
        else:
            raise src.error(f"{type(stmt).__name__.lower()} statements are not allowed; only "
                            "assignments 'name = expression' (the last may be a bare expression)",
                            stmt)
        _check(stmt.value, src, limits)
    return statements, src


def _check(root: ast.AST, src: _Source, limits: ExpressionLimits) -> None:
    """Walk one expression iteratively against the whitelist and the depth bound."""
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limits.max_depth:
            raise src.error(f"the expression is nested more than {limits.max_depth} levels deep "
                            "(split it into assignments)", node)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise src.error(f"only numbers are allowed as constants, not {node.value!r:.40}",
                                node)
            continue
        if isinstance(node, ast.Name):
            if len(node.id) > NAME_LIMIT:
                raise src.error(f"the name '{node.id[:NAME_LIMIT]}...' is longer than "
                                f"{NAME_LIMIT} characters", node, node.id[:NAME_LIMIT])
            if node.id in FUNCTIONS:
                raise src.error(f"'{node.id}' is a function: call it, as in {node.id}(x)", node,
                                node.id)
            continue
        if isinstance(node, ast.BinOp):
            if type(node.op) not in BINARY:
                raise src.error(f"the operator {type(node.op).__name__} is not allowed; "
                                f"allowed: {ALLOWED}", node)
            if isinstance(node.op, ast.Pow):
                k = _constant_number(node.right)
                if k is None:
                    raise src.error("the exponent of ** must be a number, as in x ** 2 (for "
                                    "b ** x write exp(x * log(b)))", node.right)
                if not math.isfinite(k) or abs(k) > limits.max_exponent:
                    raise src.error(f"the exponent {k:g} is too large: |k| <= "
                                    f"{limits.max_exponent:g}", node.right)
                stack.append((node.left, depth + 1))
            else:
                stack.extend(((node.left, depth + 1), (node.right, depth + 1)))
            continue
        if isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                raise src.error(f"the operator {type(node.op).__name__} is not allowed; "
                                f"allowed: {ALLOWED}", node)
            stack.append((node.operand, depth + 1))
            continue
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if name not in FUNCTIONS:
                shown = name if name is not None else ast.unparse(node.func)[:40]
                raise src.error(f"unknown function '{shown}'; allowed functions: "
                                + ", ".join(FUNCTIONS), node, shown)
            if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
                raise src.error(f"{name}() takes exactly one argument", node, name)
            stack.append((node.args[0], depth + 1))
            continue
        what = {ast.Attribute: "attribute access", ast.Subscript: "subscripts",
                ast.Lambda: "lambdas", ast.ListComp: "comprehensions",
                ast.GeneratorExp: "comprehensions", ast.SetComp: "comprehensions",
                ast.DictComp: "comprehensions", ast.Compare: "comparisons",
                ast.BoolOp: "and/or", ast.IfExp: "conditional expressions",
                ast.NamedExpr: "':=' assignments"}.get(type(node), type(node).__name__)
        raise src.error(f"{what} not allowed; allowed: {ALLOWED}", node)


def _constant_number(node: ast.AST) -> float | None:
    """The value of `2`, `-2`, `(+2.5)`; None for anything else."""
    sign = 1.0
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        sign = -sign if isinstance(node.op, ast.USub) else sign
        node = node.operand
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
            and not isinstance(node.value, bool):
        try:
            return sign * float(node.value)
        except OverflowError:
            return math.inf
    return None


def free_names(text: str, limits: ExpressionLimits = ExpressionLimits()) -> list[str]:
    """The leaves' names in order of first use (names read before, or never, assigned)."""
    statements, _ = parse(text, limits)
    assigned, leaves = set(), []
    for target, expr in statements:
        for node in ast.walk(expr):
            if isinstance(node, ast.Name) and node.id not in assigned and node.id not in leaves \
                    and node.id not in FUNCTIONS:
                leaves.append(node.id)
        if target:
            assigned.add(target)
    return leaves


def build(text: str, values: dict[str, float],
          limits: ExpressionLimits = ExpressionLimits()) -> ParsedGraph:
    """Parse, check and build the graph with the given leaf values. Raises ExpressionError for
    bad syntax, unknown or unassigned names, missing values, reassignment, too many nodes and
    non-finite or undefined results (naming where)."""
    statements, src = parse(text, limits)
    if len(values) > limits.max_values:
        raise ExpressionError(f"{len(values)} values given; at most {limits.max_values}")
    b = _Builder(src, values, limits)
    out, out_name = None, ""
    built = []
    for target, expr in statements:
        value = b.expression(expr)
        built.append((target, expr, value))
        if target is not None:
            if target in b.names:
                kind = "a leaf used before" if target in b.leaves else "assigned before"
                raise src.error(f"'{target}' is {kind}; give each value its own name", expr,
                                target)
            if not value.label:
                value.label = target
            b.names[target] = value
        out, out_name = value, target or ""
    if out_name and out.label and out.label != out_name:
        # `L = a` (or `L = d`): the output is a value already named; the output takes the last
        # assignment's name through an identity node, so neither name is lost
        out = _alias(out, out_name)
    count = len(topological_order(out))
    if count > limits.max_nodes:
        raise _too_many(count, built, src, limits)
    if not out.label:
        out.label = "out"
    return ParsedGraph(out, b.leaves, b.constants, b.exponents, out_name or out.label)


def _alias(value: Value, name: str) -> Value:
    """A node named `name` equal to `value` (op "="): d(alias)/d(value) = 1."""
    out = Value(value.data, (value,), "=", label=name)

    def _backward():
        value.grad += out.grad
    out._backward = _backward
    return out


def _too_many(count: int, built: list, src: _Source, limits: ExpressionLimits) -> ExpressionError:
    """The node bound's error, naming the statement at which the graph passes it: the values
    reachable from the statements so far, counted once each, first exceed max_nodes there."""
    seen: set[int] = set()
    for target, expr, value in built:
        stack = [value]
        while stack:
            v = stack.pop()
            if id(v) not in seen:
                seen.add(id(v))
                stack.extend(v._prev)
        if len(seen) > limits.max_nodes:
            what = f"'{target}'" if target else "the output"
            return src.error(f"the graph has {count} nodes; at most {limits.max_nodes} are "
                             f"allowed (passed at {what})", expr, target)
    return ExpressionError(f"the graph has {count} nodes; at most {limits.max_nodes} are allowed")


class _Builder:
    """Turns checked ASTs into Values; counts what it creates so a bound stops it early."""

    def __init__(self, src: _Source, values: dict[str, float], limits: ExpressionLimits):
        self.src, self.values, self.limits = src, values, limits
        self.names: dict[str, Value] = {}
        self.leaves: dict[str, Value] = {}
        self.constants: list[Value] = []
        self.exponents: dict[int, float] = {}
        self.created = 0

    def _count(self, n: int, node: ast.AST) -> None:
        self.created += n
        # each operation makes at most 3 values (a - b: constant -1, the product, the sum)
        if self.created > 3 * self.limits.max_nodes:
            raise self.src.error(f"the graph would have more than {self.limits.max_nodes} nodes; at most "
                                 f"{self.limits.max_nodes} are allowed",
                                 node)

    def leaf(self, node: ast.Name) -> Value:
        name = node.id
        if name in self.names:
            return self.names[name]
        if name not in self.values:
            raise self.src.error(f"no value given for '{name}'", node, name)
        x = self.values[name]
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
            raise self.src.error(f"the value of '{name}' must be a finite number", node, name)
        v = Value(float(x), label=name)
        self.names[name] = self.leaves[name] = v
        self._count(1, node)
        return v

    def constant(self, x: float, node: ast.AST) -> Value:
        if not math.isfinite(x):
            raise self.src.error("the number is too large (not finite)", node)
        v = Value(x)
        self.constants.append(v)
        self._count(1, node)
        return v

    def expression(self, root: ast.AST) -> Value:
        """Post-order over the AST with an explicit stack (depth is bounded anyway)."""
        results: dict[int, Value] = {}
        stack: list[tuple[ast.AST, bool]] = [(root, False)]
        while stack:
            node, ready = stack.pop()
            if isinstance(node, ast.Name):
                results[id(node)] = self.leaf(node)
                continue
            if isinstance(node, ast.Constant):
                results[id(node)] = self.constant(_finite_float(node.value), node)
                continue
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
                kids = [node.left]
            elif isinstance(node, ast.BinOp):
                kids = [node.left, node.right]
            elif isinstance(node, ast.UnaryOp):
                kids = [node.operand]
            else:  # ast.Call, checked
                kids = [node.args[0]]
            if not ready:
                stack.append((node, True))
                stack.extend((k, False) for k in reversed(kids))
                continue
            args = [results.pop(id(k)) for k in kids]
            results[id(node)] = self.apply(node, args)
        return results[id(root)]

    def apply(self, node: ast.AST, args: list[Value]) -> Value:
        try:
            if isinstance(node, ast.BinOp):
                op = BINARY[type(node.op)]
                if op == "**":
                    k = _constant_number(node.right)
                    k = int(k) if float(k).is_integer() else k
                    out = args[0] ** k
                    self.exponents[id(out)] = k
                    made = 1
                elif op == "+":
                    out, made = args[0] + args[1], 1
                elif op == "-":
                    out, made = args[0] - args[1], 3
                elif op == "*":
                    out, made = args[0] * args[1], 1
                else:
                    out, made = args[0] / args[1], 2
            elif isinstance(node, ast.UnaryOp):
                out, made = (-args[0], 2) if isinstance(node.op, ast.USub) else (args[0], 0)
            else:
                out, made = FUNCTIONS[node.func.id](args[0]), 1
        except ZeroDivisionError:
            raise self.src.error("division by zero", node) from None
        except OverflowError:
            raise self.src.error("the result overflows (it is not finite)", node) from None
        except ValueError as exc:  # log of a non-positive number, negative ** fraction
            text = str(exc)
            if text == "math domain error":
                text = "log of a number <= 0"
            raise self.src.error(f"undefined result ({text})", node) from None
        if not math.isfinite(out.data):
            raise self.src.error(f"the result is {out.data} (not finite)", node)
        self._count(made, node)
        return out


def _finite_float(x) -> float:
    try:
        return float(x)
    except OverflowError:
        return math.inf
