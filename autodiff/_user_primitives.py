"""``primitive``: an operation and its derivatives, defined by the user, as a row of the
same table as the built-in ones (``_table.py``).

The convention is the table's: ``forward(*operands, **constants)`` on floats or on
arrays (one number per example of a batch), and ``derivatives(*operands, out,
**constants)`` giving d(out)/d(operand) for each operand, written with arithmetic
that works on floats, arrays and Values (``create_graph`` evaluates it on Values, so
derivatives of every order come from it). Errors in the user's code are reported
with the primitive's name and the numbers it was given.
"""
from __future__ import annotations

import functools
import inspect
import math
import numbers
import threading
from collections.abc import Sequence
from typing import Any, Callable

import numpy as np

from ._data import check_batch_lengths, describe
from ._domains import all_true
from ._operations import _n_ary_node, operand
from ._table import PRIMITIVES, Primitive, PrimitiveFamily
from ._types import Operand
from ._value import Value

BUILT_IN_NAMES = frozenset(PRIMITIVES)
"""The names of the built-in primitives: a user primitive may not take one of them."""


def _plain(x):
    """The data of a Value, anything else as it is (an array's own .data is a buffer)."""
    return x.data if isinstance(x, Value) else x


class PrimitiveError(RuntimeError):
    """A user primitive's forward, derivatives or domain check raised, or returned
    something the engine cannot use; the message names the primitive and its inputs."""


class _ValueAsNumber(Exception):
    """float() of a Value inside a rule evaluated on Values (math.cos(x), float(x))."""


class _RuleState(threading.local):
    on_values = False        # True while a user rule runs on Values (create_graph)


_rule = _RuleState()


def _float_of_value(value):
    """float(v): the data, as ``Value.item``; refused inside a user rule evaluated on
    Values, where a number would silently cut the derivative's graph (``math.cos(x)``
    gives cos as a constant, and every higher derivative through it would be wrong)."""
    if _rule.on_values:
        raise _ValueAsNumber()
    return value.item()


Value.__float__ = _float_of_value


def _inputs_text(names, datas):
    """``x = 0.5`` or ``a = 1, b = array([1, 2])`` for an error message."""
    return ", ".join(f"{name} = {describe(_plain(data))}"
                     for name, data in zip(names, datas))


def _signature(function):
    try:
        return inspect.signature(function)
    except (TypeError, ValueError):        # a builtin or a numpy ufunc: no signature
        return None


def _operand_names(forward):
    """The names of the operands (the positional parameters without a default) and
    whether the forward takes any number of them (``*xs``); None when the forward has
    no signature to read (a numpy function)."""
    signature = _signature(forward)
    if signature is None:
        return None, False
    names, variadic = [], False
    for parameter in signature.parameters.values():
        if parameter.kind is parameter.VAR_POSITIONAL:
            variadic = True
        elif parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD) \
                and parameter.default is parameter.empty:
            names.append(parameter.name)
    return names, variadic


def _constant_defaults(forward):
    """(whether ``forward`` takes constants, {name: default} of those with a default):
    its keyword parameters and the positional ones with a default."""
    signature = _signature(forward)
    if signature is None:
        return False, {}
    constants = [parameter for parameter in signature.parameters.values()
                 if parameter.kind in (parameter.KEYWORD_ONLY, parameter.VAR_KEYWORD)
                 or parameter.default is not parameter.empty]
    return bool(constants), {parameter.name: parameter.default for parameter in constants
                             if parameter.default is not parameter.empty}


class UserPrimitive(Primitive):
    """A row of the table made by ``autodiff.primitive``, for one set of constants:
    the same fields as a built-in row, plus the names of its operands and the
    constants it was made with (filled into its formula and derivative text)."""

    __slots__ = ("constants", "operand_names")

    def local_grad_text(self, operand_names, out_name="out"):
        """d(out)/d(operand) as text for each operand: the user's ``derivative_text``
        with ``{0}``, ``{1}``, ... the operands' names, ``{out}`` the output's and each
        constant by its name (``{scale}``)."""
        text = self.derivative_text
        if len(text) == 1 and len(operand_names) > 1:        # n-ary with one rule
            text = text * len(operand_names)
        return tuple(t.format(*operand_names, out=out_name, **self.constants) for t in text)


def _as_float_output(name, result, names, datas):
    """The forward's result on numbers, as a float (NaN refused: nothing silently wrong)."""
    if isinstance(result, (numbers.Real, np.floating, np.integer)) and not isinstance(result, bool):
        out = float(result)
    elif isinstance(result, np.ndarray) and result.size == 1:
        out = float(result.reshape(-1)[0])
    else:
        raise PrimitiveError(f"{name}: forward on {_inputs_text(names, datas)} must return one "
                             f"number, got {type(result).__name__} {describe(result)}")
    if math.isnan(out):
        raise PrimitiveError(f"{name}: forward gave nan on {_inputs_text(names, datas)}")
    return out


def _as_array_output(name, result, names, datas):
    """The forward's result on a batch: one float64 per example, the operands' shape."""
    shape = np.broadcast_shapes(*(np.shape(data) for data in datas))
    try:
        out = np.asarray(result, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise PrimitiveError(f"{name}: forward on {_inputs_text(names, datas)} must return "
                             f"numbers, got {type(result).__name__} {describe(result)}") from error
    if out.shape != shape:
        if out.ndim != 0:
            raise PrimitiveError(
                f"{name}: forward on a batch must return one number per example (shape "
                f"{shape}), got shape {out.shape}: a primitive acts on each example alone")
        out = np.full(shape, float(out))
    if np.isnan(out).any():
        example = np.unravel_index(int(np.flatnonzero(np.isnan(out))[0]), out.shape)
        at = [float(np.broadcast_to(np.asarray(d), shape)[example]) for d in datas]
        raise PrimitiveError(f"{name}: forward gave nan on {_inputs_text(names, at)} "
                             f"(example {example[-1]})")
    return out


def _as_local(value):
    """One derivative as the engine keeps it: a Value as it is, a number as a float,
    an array as float64."""
    if isinstance(value, Value):
        return value
    if isinstance(value, np.ndarray):
        return float(value) if value.ndim == 0 else value.astype(np.float64, copy=False)
    if isinstance(value, (numbers.Real, np.floating, np.integer)) and not isinstance(value, bool):
        return float(value)
    raise TypeError(f"got {type(value).__name__} {describe(value)}")


class PrimitiveFunction:
    """What ``autodiff.primitive`` returns: call it on Values (or numbers, or arrays) and
    keyword constants to apply the primitive: ``softsign(x)``, ``scaled_tanh(x,
    scale=2.0)``. ``row(**constants)`` is its row of the table for those constants."""

    def __init__(self, name: str, forward: Callable[..., Any],
                 derivatives: Callable[..., Sequence[Any]], formula: str,
                 derivative_text: tuple[str, ...], domain: Callable[..., Any] | None,
                 domain_text: str) -> None:
        self.name = name
        self.forward = forward
        self.derivatives = derivatives
        self.formula = formula
        self.derivative_text = derivative_text
        self.domain = domain
        self.domain_text = domain_text
        names, self.variadic = _operand_names(forward)
        self.arity = None if names is None or self.variadic else len(names)
        if self.arity is None and not self.variadic and derivative_text:
            self.arity = len(derivative_text)
        self.operand_names = names or []
        self.has_constants, self.defaults = _constant_defaults(forward)
        signature = _signature(forward)
        self.required = [] if signature is None else [
            p.name for p in signature.parameters.values()
            if p.kind is p.KEYWORD_ONLY and p.default is p.empty]
        self._rows = functools.lru_cache(maxsize=1024)(self._make_row)
        self.__name__ = name
        self.__doc__ = f"{name}: {formula} (a primitive defined with autodiff.primitive)"

    def names_for(self, count: int) -> list[str]:
        """The operands' names in messages: the forward's parameter names, else x or
        x1, ..., xn."""
        if len(self.operand_names) == count:
            return list(self.operand_names)
        return ["x"] if count == 1 else [f"x{i + 1}" for i in range(count)]

    def row(self, **constants: Any) -> Primitive:
        """The Primitive (a row of the table) for these constants, made once."""
        missing = [name for name in self.required if name not in constants]
        if missing:
            raise TypeError(f"{self.name}: needs the constant{'s' if len(missing) > 1 else ''} "
                            f"{', '.join(missing)} (a keyword argument: "
                            f"{self.name}(x, {missing[0]}=...))")
        try:
            key = tuple(sorted({**self.defaults, **constants}.items()))
            hash(key)
        except TypeError:
            raise TypeError(f"{self.name}: constants must be numbers or other hashable values "
                            f"(one row of the table per value), got {constants!r}") from None
        return self._rows(key)

    def _make_row(self, key):
        constants = dict(key)
        name, forward, derivatives, domain = self.name, self.forward, self.derivatives, self.domain
        names_for, domain_text = self.names_for, self.domain_text

        def run_forward(datas, as_output):
            names = names_for(len(datas))
            try:
                result = forward(*datas, **constants)
            except PrimitiveError:
                raise
            except Exception as error:
                raise PrimitiveError(f"{name}: forward failed on {_inputs_text(names, datas)}: "
                                     f"{type(error).__name__}: {error}") from error
            return as_output(name, result, names, datas)

        def float_forward(*datas):
            return run_forward(datas, _as_float_output)

        def array_forward(*datas):
            return run_forward(datas, _as_array_output)

        def local_grads(*operands_and_out):
            operands = operands_and_out[:-1]
            names = names_for(len(operands))
            on_values = any(isinstance(x, Value) for x in operands_and_out)
            where = _inputs_text(names, operands) + (" as Values (create_graph)"
                                                     if on_values else "")
            hint = ("; on Values, write the rule with + - * / ** and autodiff functions, "
                    "not math or numpy" if on_values else "")
            previous, _rule.on_values = _rule.on_values, on_values
            try:
                result = derivatives(*operands_and_out, **constants)
            except _ValueAsNumber:
                raise PrimitiveError(
                    f"{name}: derivatives on {where} turned a Value into a number (float(), "
                    "math.*): that would cut the derivative's graph; use autodiff functions "
                    "(ad.cos, ad.exp, ...), or x.data for a piecewise-constant factor") from None
            except Exception as error:
                raise PrimitiveError(f"{name}: derivatives failed on {where}: "
                                     f"{type(error).__name__}: {error}{hint}") from error
            finally:
                _rule.on_values = previous
            if not isinstance(result, (tuple, list)):
                result = (result,) if len(operands) == 1 else result
            if not isinstance(result, (tuple, list)) or len(result) != len(operands):
                raise PrimitiveError(
                    f"{name}: derivatives must return one derivative per operand ("
                    f"{len(operands)}: d out/d {', d out/d '.join(names)}), got {result!r:.120}")
            locals_ = []
            for operand_name, value in zip(names, result):
                try:
                    locals_.append(_as_local(value))
                except TypeError as error:
                    raise PrimitiveError(f"{name}: the derivative d out/d {operand_name} must "
                                         f"be a number, an array or a Value, {error}") from None
            return tuple(locals_)

        check = None
        if domain is not None:
            def check(*datas):
                names = names_for(len(datas))
                try:
                    inside = domain(*datas, **constants)
                except Exception as error:
                    raise PrimitiveError(f"{name}: domain check failed on "
                                         f"{_inputs_text(names, datas)}: "
                                         f"{type(error).__name__}: {error}") from error
                if all_true(np.asarray(inside)):
                    return
                shape = np.broadcast_shapes(*(np.shape(d) for d in datas))
                outside = np.broadcast_to(~np.asarray(inside, dtype=bool), shape)
                at = datas
                example = ""
                if shape:
                    index = np.unravel_index(int(np.flatnonzero(outside)[0]), shape)
                    at = [float(np.broadcast_to(np.asarray(d), shape)[index]) for d in datas]
                    example = f" (example {index[-1]})"
                rule = f" ({domain_text})" if domain_text else ""
                raise ValueError(f"{name}: input outside the domain{rule}, got "
                                 f"{_inputs_text(names, at)}{example}")

        count = self.arity or 1
        names = names_for(count)
        texts = self.derivative_text
        try:
            filled = [t.format(*names, out="out", **constants) for t in texts]
            formula = self.formula.format(**constants) if constants else self.formula
        except (KeyError, IndexError, ValueError) as error:
            raise ValueError(f"{name}: derivative_text {texts!r} or formula {self.formula!r} "
                             f"names something that is not an operand ({{0}}, {{1}}, ...), "
                             f"{{out}} or a constant {sorted(constants)}: {error!r}") from None
        if filled:
            rules = ", ".join(f"d/d{n} = {t}" for n, t in zip(
                names if len(filled) == count else ["x_i"], filled))
        else:
            rules = ", ".join(f"d/d{n} by its rule" for n in names)
        row = UserPrimitive(name, float_forward, array_forward, local_grads, check,
                            formula=f"{formula}; {rules}" if formula else rules,
                            derivative_text=tuple(texts), parameter=key or None)
        row.operand_names = names
        row.constants = constants
        return row

    def __call__(self, *operands: Operand, **constants: Any) -> Value:
        """The primitive applied to ``operands`` (Values; numbers and arrays become
        leaves) with ``constants``: a new Value whose op is the primitive's name."""
        name = self.name
        if self.arity is not None and len(operands) != self.arity:
            raise TypeError(f"{name}: takes {self.arity} operand{'s' if self.arity > 1 else ''} "
                            f"({', '.join(self.names_for(self.arity))}), got {len(operands)}")
        if not operands:
            raise TypeError(f"{name}: needs at least one operand")
        row = self.row(**constants)
        values = tuple(x if isinstance(x, Value) else operand(x, name) for x in operands)
        datas = [x.data for x in values]
        if row.check is not None:
            row.check(*datas)
        if all(type(d) is float for d in datas):
            out = row.float_forward(*datas)
        else:
            check_batch_lengths(name, *datas)
            out = row.array_forward(*datas)
        return _n_ary_node(row, values, out, lambda: row.local_grads(*datas, out))

    def __repr__(self) -> str:
        rules = ", ".join(self.derivative_text) or "its rule"
        return f"autodiff.primitive({self.name!r}: {self.formula or '?'}; d/d(operands) = {rules})"


def _check_rule_takes_out(name, forward, derivatives):
    """derivatives must take the operands and then the output (the table's convention)."""
    operands, variadic = _operand_names(forward)
    rule, rule_variadic = _operand_names(derivatives)
    if operands is None or rule is None or variadic or rule_variadic:
        return
    if len(rule) != len(operands) + 1:
        wanted = ", ".join(operands + ["out"])
        raise TypeError(f"primitive {name!r}: derivatives must take the operands and then the "
                        f"output, ({wanted}), and return one derivative per operand; it takes "
                        f"({', '.join(rule)})")


def primitive(name: str, forward: Callable[..., Any],
              derivatives: Callable[..., Sequence[Any]], *, formula: str = "",
              derivative_text: str | Sequence[str] = (),
              domain: Callable[..., Any] | None = None,
              domain_text: str = "") -> PrimitiveFunction:
    """A new primitive, a row of the engine's table: ``forward(*operands, **constants)``
    computes out on floats or arrays (one number per example); ``derivatives(*operands,
    out, **constants)`` returns d(out)/d(operand) for each operand, written with
    arithmetic that works on floats, arrays and Values (so ``create_graph`` and every
    higher order work). The chain rule then does the rest: backward adds
    d(out)/d(operand) × out.grad to each operand's grad.

    ``formula``: the forward as text; ``derivative_text``: each derivative as text with
    ``{0}``, ``{1}``, ... for the operands (``{out}`` the output, ``{name}`` a
    constant), drawn on the edges. ``domain(*operands, **constants)``: True (or True for
    every example) where the primitive is defined, else a ValueError naming it;
    ``domain_text`` says the condition in words. Keyword parameters of ``forward`` with
    defaults are constants: ``f(x, scale=2.0)``. Returns a function applying it::

        softsign = primitive("softsign", lambda x: x / (1 + abs(x)),
                             lambda x, out: (1 / (1 + abs(x)) ** 2,),
                             formula="x / (1 + |x|)", derivative_text=("1 / (1 + |{0}|)^2",))
        softsign(Value(0.5))     # Value(data=0.3333, op='softsign')

    A name of a built-in primitive is refused; defining a name again replaces the
    earlier definition (re-running a notebook cell).
    """
    if not isinstance(name, str) or not name.strip():
        raise TypeError(f"primitive: the name must be a non-empty string, got {name!r}")
    if name in BUILT_IN_NAMES:
        raise ValueError(f"primitive: {name!r} is a built-in primitive (autodiff.{name} if "
                         "public); choose another name for yours")
    for role, function in (("forward", forward), ("derivatives", derivatives)):
        if not callable(function):
            raise TypeError(f"primitive {name!r}: {role} must be a function, got {function!r}")
    if domain is not None and not callable(domain):
        raise TypeError(f"primitive {name!r}: domain must be a function of the operands "
                        f"returning True where {name} is defined, got {domain!r}")
    if isinstance(derivative_text, str):
        derivative_text = (derivative_text,)
    if not all(isinstance(t, str) for t in derivative_text):
        raise TypeError(f"primitive {name!r}: derivative_text must be strings, one per "
                        f"operand, got {derivative_text!r}")
    _check_rule_takes_out(name, forward, derivatives)
    function = PrimitiveFunction(name, forward, derivatives, str(formula),
                                 tuple(derivative_text), domain, str(domain_text))
    if function.arity is not None and derivative_text and len(derivative_text) != function.arity:
        raise ValueError(f"primitive {name!r}: derivative_text has {len(derivative_text)} "
                         f"entries for {function.arity} operand(s) "
                         f"({', '.join(function.names_for(function.arity))})")
    if function.has_constants:
        PRIMITIVES[name] = PrimitiveFamily(
            name, lambda key: function._rows(key),
            f"{function.formula}; d/d(operand) by the rule of autodiff.primitive({name!r})")
    else:
        PRIMITIVES[name] = function.row()
    return function
