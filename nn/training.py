"""Running a model: a small training loop (fit: mini-batch gradient descent with a
progress bar and an early-stopping hook), evaluate, predict, accuracy, and checking a
module's gradients against central differences (gradcheck_module)."""
from __future__ import annotations

import importlib.util
from typing import Any, Callable, Union

import numpy as np

from autodiff import GradcheckResult, Value, gradcheck, no_grad
from autodiff import compile as compile_step
from autodiff import sum as sum_values
from autodiff.checks import check_flag, check_number

from ._types import (Array, ArrayLike, Generator, LossFunction, MetricWatcher, NestedInput,
                     OptimizerLike)
from .data import array_batches, batches
from .init import as_generator, renamed_seed
from .module import Module
from .values import flatten_values, format_number, to_numpy, to_values, unflatten_like


def progress_bar(epochs: int) -> Any:
    """A tqdm bar of ``epochs`` ticks: a widget in a notebook when ipywidgets is
    installed (``tqdm.auto``), else tqdm's text bar, which notebooks and terminals
    both show."""
    if importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.auto import tqdm
    else:
        from tqdm import tqdm
    return tqdm(total=epochs, desc="fit", unit="epoch")


def _scalar_loss(loss, owner):
    if not isinstance(loss, Value) or type(loss.data) is not float:
        raise ValueError(f"{owner}: loss_fn must return one scalar Value (reduce the batch, "
                         f"e.g. reduction='mean'), got {loss!r}")
    return loss


def _compiled_step(model, loss_fn):
    """loss_fn(model(inputs), targets) compiled: a step taking the batch as arrays."""
    def batch_loss(inputs, targets):
        return _scalar_loss(loss_fn(model(to_values(inputs)),
                                    list(targets.T) if targets.ndim == 2 else targets), "fit")
    return compile_step(batch_loss, model)


def _stopping_hook(early_stopping):
    """early_stopping as a function (epoch, monitored loss) -> stop?"""
    if early_stopping is None:
        return lambda epoch, loss: False
    if callable(early_stopping):
        return early_stopping
    if callable(getattr(early_stopping, "step", None)):
        return lambda epoch, loss: early_stopping.step(loss)
    raise TypeError("fit: early_stopping must be a function (epoch, val_loss) -> bool or "
                    f"an object with step(val_loss) -> bool, got {early_stopping!r}")


EarlyStop = Union[Callable[[int, float], bool], MetricWatcher, None]
"""fit's early stopping: a function (epoch, monitored loss) -> stop?, an object whose
``step(loss)`` says so (``optim.EarlyStopping``), or None (never stop early)."""


def fit(model: Module, loss_fn: LossFunction, optimizer: OptimizerLike, X: ArrayLike,
        y: ArrayLike, epochs: int = 10, batch_size: int = 32, shuffle: bool = True,
        generator: Generator = None, validation_data: tuple[ArrayLike, ArrayLike] | None = None,
        early_stopping: EarlyStop = None, progress: bool = True,
        val_loss_fn: LossFunction | None = None,
        compile: bool = False, *,  # noqa: A002 (as torch.compile)
        seed: Generator = None) -> dict[str, list[float]]:
    """Train ``model`` by mini-batch gradient descent and return the history
    ``{"loss": [...], "val_loss": [...]}`` (one entry per epoch run).

    Each step: ``optimizer.zero_grad()``, loss = ``loss_fn(model(inputs), targets)`` on a
    batch from ``batches(X, y, batch_size, shuffle, generator)``, ``loss.backward()``,
    ``optimizer.step()``. ``optimizer``: any object with ``zero_grad()`` and ``step()``
    (``optim.SGD(model.parameters(), lr)``, ...). After each epoch, with
    ``validation_data=(X_val, y_val)`` the validation loss is computed (``evaluate``)
    with ``val_loss_fn`` (default ``loss_fn``; pass the plain loss when ``loss_fn`` adds
    a weight penalty, so that early stopping watches the loss itself);
    ``early_stopping(epoch, val_loss) -> bool`` (the training loss when there is no
    validation data) stops training when it returns True; an object with
    ``step(val_loss) -> bool`` instead (``optim.EarlyStopping``) is called that way.
    ``progress``: a tqdm bar, one tick per epoch with the losses (a widget in a notebook,
    a line in a terminal), unless False. ``seed`` is the deprecated name of
    ``generator``. ``compile=True``: each step is ``autodiff.compile``'s replay of the
    first one traced (one tape per batch size; same losses and gradients, several
    times faster); the parameters are plain Values again when fit returns.
    """
    for method in ("zero_grad", "step"):
        if not callable(getattr(optimizer, method, None)):
            raise TypeError(f"fit: optimizer must have {method}(), got {optimizer!r}")
    epochs = int(check_number("fit", "epochs", epochs, integer=True, minimum=0))
    should_stop = _stopping_hook(early_stopping)
    generator = as_generator(renamed_seed("fit", generator, seed), "fit")
    history: dict[str, list[float]] = {"loss": [], "val_loss": []}
    bar = progress_bar(epochs) if check_flag("fit", "progress", progress) else None
    step = _compiled_step(model, loss_fn) if check_flag("fit", "compile", compile) else None
    try:
        for epoch in range(epochs):
            model.train()
            total, count = 0.0, 0
            if step is None:
                for inputs, targets in batches(X, y, batch_size, shuffle, generator):
                    optimizer.zero_grad()
                    loss = _scalar_loss(loss_fn(model(inputs), targets), "fit")
                    loss.backward()
                    optimizer.step()
                    size = len(inputs[0].data)  # type: ignore[arg-type]  # a batch
                    total, count = total + loss.data * size, count + size
            else:               # the same batches, as arrays: no Value made per batch
                for rows, targets in array_batches(X, y, batch_size, shuffle, generator):
                    optimizer.zero_grad()
                    value = step(rows, targets)
                    optimizer.step()
                    total, count = total + value * len(rows), count + len(rows)
            history["loss"].append(total / count)
            logs = {"loss": history["loss"][-1]}
            if validation_data is not None:
                logs["val_loss"] = evaluate(model, *validation_data,
                                            loss_fn=val_loss_fn or loss_fn)["loss"]
                history["val_loss"].append(logs["val_loss"])
            if bar is not None:
                bar.set_postfix({name: format_number(value) for name, value in logs.items()})
                bar.update(1)
            monitored = logs.get("val_loss", logs["loss"])
            if should_stop(epoch, monitored):
                break
    finally:
        if bar is not None:
            bar.close()
        if step is not None:
            step.release()
        model.train()
    return history


def _outputs(model, X, batch_size):
    """The model's outputs on X, in evaluation mode without a graph: an (n, k) array, and
    whether the model returns a vector (True) or one Value. Modes are restored after."""
    X = np.asarray(X, dtype=np.float64)
    size = len(X) if batch_size is None else batch_size
    parts, vector = [], True
    with model.training_mode(False), no_grad():
        for inputs, _ in batches(X, np.zeros(len(X)), size, shuffle=False):
            output = model(inputs)
            vector = isinstance(output, (list, tuple))
            parts.append(to_numpy(output if vector else [output]))
    return np.concatenate(parts), vector


def predict(model: Module, X: ArrayLike, batch_size: int | None = None) -> Array:
    """The model's outputs for the examples X (n x features), in evaluation mode and
    without a graph: an array of n rows, one column per output."""
    return _outputs(model, X, batch_size)[0]


def accuracy(outputs: ArrayLike, y: ArrayLike) -> float:
    """Fraction of examples classified right: with several output columns the class is
    the argmax (logits); with one, class 1 where the logit is > 0."""
    outputs = np.asarray(outputs, dtype=np.float64)
    outputs = outputs.reshape(len(outputs), -1)
    y = np.asarray(y)
    if len(y) != len(outputs):
        raise ValueError(f"accuracy: {len(outputs)} outputs but {len(y)} labels")
    predicted = outputs.argmax(axis=1) if outputs.shape[1] > 1 else (outputs[:, 0] > 0)
    return float(np.mean(predicted.astype(np.int64) == y))


def evaluate(model: Module, X: ArrayLike, y: ArrayLike, loss_fn: LossFunction | None = None,
             batch_size: int | None = None) -> dict[str, float]:
    """{"loss": loss_fn(outputs, y) over all of X (if ``loss_fn``), "accuracy": ... (if y
    holds integer class labels)}, in evaluation mode without a graph."""
    outputs, vector = _outputs(model, X, batch_size)
    y = np.asarray(y)
    results: dict[str, float] = {}
    if loss_fn is not None:
        with no_grad():
            values = to_values(outputs)
            loss = loss_fn(values if vector else values[0], y)
            results["loss"] = _scalar_loss(loss, "evaluate").data
    if y.dtype.kind in "iu":
        results["accuracy"] = accuracy(outputs, y)
    return results


# --- checking a module's gradients ----------------------------------------------------

def _generators(module):
    return [m.generator for m in module.modules()
            if isinstance(getattr(m, "generator", None), np.random.Generator)]


def gradcheck_module(module: Module, inputs: NestedInput, eps: float = 1e-6, tol: float = 1e-6,
                     generator: Generator = 0, *, seed: Generator = None) -> GradcheckResult:
    """Compare d s / d (inputs, parameters) from backward with central differences, where
    s = sum_i c_i y_i combines every output y_i of ``module(inputs)`` with fixed random
    weights c_i (so each output's gradient counts), summed over a batch.

    ``inputs``: what the module takes (a vector, or a nested list, of numbers, 1-D
    arrays for a batch, or Values). Random layers replay the same draws on every call
    (their ``generator`` state is restored before each), and the module's buffers
    (running statistics) are put back afterwards. Returns autodiff's GradcheckResult
    (``.ok``, ``.max_error``, ``.where``: index into inputs + parameters).
    ``generator`` draws the weights c_i (an int seed by default, so a check repeats);
    ``seed`` is its deprecated name.
    """
    if seed is not None:
        generator = renamed_seed("gradcheck_module", None, seed)
    structure = inputs if isinstance(inputs, (list, tuple)) else [inputs]
    leaves = [x if isinstance(x, Value) else Value(x) for x in flatten_values(structure)]
    parameters = module.parameters()
    generators = _generators(module)
    random_states = [g.bit_generator.state for g in generators]
    saved_buffers = [(buffer, buffer.copy()) for buffer in module.buffers()]
    weights: dict[int, float] = {}

    def combined(values):
        for layer_generator, state in zip(generators, random_states):
            layer_generator.bit_generator.state = state
        output = flatten_values(module(unflatten_like(structure, values[:len(leaves)])))
        if len(weights) != len(output):
            draws = as_generator(generator, "gradcheck_module").normal(size=len(output))
            weights.update(enumerate(draws.tolist()))
        return sum_values([weights[i] * y for i, y in enumerate(output)])

    try:
        return gradcheck(combined, leaves + parameters, eps=eps, tol=tol)
    finally:
        for buffer, saved in saved_buffers:
            np.copyto(buffer, saved)
