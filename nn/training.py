"""A small training loop: fit (mini-batch gradient descent with a progress bar and an
early-stopping hook), evaluate, predict and accuracy."""
import os
import sys

import numpy as np

from autodiff import no_grad

from .data import batches
from .rng import as_generator
from .values import to_numpy, to_values


class _Progress:
    """One line per epoch: a tqdm bar when tqdm is installed, else plain lines on stderr."""

    def __init__(self, epochs):
        try:
            from tqdm.auto import tqdm
        except ImportError:
            tqdm = None
        self.bar = None if tqdm is None else tqdm(total=epochs, desc="fit", unit="epoch")
        self.epochs = epochs

    def update(self, epoch, logs):
        text = {name: f"{value:.4g}" for name, value in logs.items()}
        if self.bar is not None:
            self.bar.set_postfix(text)
            self.bar.update(1)
        else:
            shown = ", ".join(f"{name}={value}" for name, value in text.items())
            print(f"epoch {epoch + 1}/{self.epochs}: {shown}", file=sys.stderr)

    def close(self):
        if self.bar is not None:
            self.bar.close()


def _show_progress(progress):
    """``progress`` if given, else on only for an interactive terminal outside CI."""
    if progress is not None:
        return bool(progress)
    return sys.stderr.isatty() and not os.environ.get("CI")


def _scalar_loss(loss):
    if type(getattr(loss, "data", None)) is not float:
        raise ValueError("loss_fn must return one scalar Value (reduce the batch, e.g. "
                         f"reduction='mean'), got {loss!r}")
    return loss


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


def fit(model, loss_fn, optimizer, X, y, epochs=10, batch_size=32, shuffle=True, seed=None,
        validation_data=None, early_stopping=None, progress=None, val_loss_fn=None):
    """Train ``model`` by mini-batch gradient descent and return the history
    ``{"loss": [...], "val_loss": [...]}`` (one entry per epoch run).

    Each step: ``optimizer.zero_grad()``, loss = ``loss_fn(model(inputs), targets)`` on a
    batch from ``batches(X, y, batch_size, shuffle, seed)``, ``loss.backward()``,
    ``optimizer.step()``. ``optimizer``: any object with ``zero_grad()`` and ``step()``
    (``optim.SGD(model.parameters(), lr)``, ...). After each epoch, with
    ``validation_data=(X_val, y_val)`` the validation loss is computed (``evaluate``)
    with ``val_loss_fn`` (default ``loss_fn``; pass the plain loss when ``loss_fn`` adds
    a weight penalty, so that early stopping watches the loss itself);
    ``early_stopping(epoch, val_loss) -> bool`` (the training loss when there is no
    validation data) stops training when it returns True; an object with
    ``step(val_loss) -> bool`` instead (``optim.EarlyStopping``) is called that way.
    ``progress``: show a bar
    (tqdm) if True, never if False; by default only on a terminal and not under CI.
    """
    for method in ("zero_grad", "step"):
        if not callable(getattr(optimizer, method, None)):
            raise TypeError(f"fit: optimizer must have {method}(), got {optimizer!r}")
    if not isinstance(epochs, int) or epochs < 0:
        raise ValueError(f"fit: epochs must be a non-negative integer, got {epochs!r}")
    should_stop = _stopping_hook(early_stopping)
    generator = as_generator(seed, "fit")
    history = {"loss": [], "val_loss": []}
    bar = _Progress(epochs) if _show_progress(progress) else None
    try:
        for epoch in range(epochs):
            model.train()
            total, count = 0.0, 0
            for inputs, targets in batches(X, y, batch_size, shuffle, generator):
                optimizer.zero_grad()
                loss = _scalar_loss(loss_fn(model(inputs), targets))
                loss.backward()
                optimizer.step()
                size = len(inputs[0].data)
                total, count = total + loss.data * size, count + size
            history["loss"].append(total / count)
            logs = {"loss": history["loss"][-1]}
            if validation_data is not None:
                logs["val_loss"] = evaluate(model, *validation_data,
                                            loss_fn=val_loss_fn or loss_fn)["loss"]
                history["val_loss"].append(logs["val_loss"])
            if bar is not None:
                bar.update(epoch, logs)
            monitored = logs.get("val_loss", logs["loss"])
            if should_stop(epoch, monitored):
                break
    finally:
        if bar is not None:
            bar.close()
        model.train()
    return history


def _outputs(model, X, batch_size):
    """The model's outputs on X, in evaluation mode without a graph: an (n, k) array, and
    whether the model returns a vector (True) or one Value. Modes are restored after."""
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    X = np.asarray(X, dtype=np.float64)
    size = len(X) if batch_size is None else batch_size
    parts, vector = [], True
    try:
        with no_grad():
            for inputs, _ in batches(X, np.zeros(len(X)), size, shuffle=False):
                output = model(inputs)
                vector = isinstance(output, (list, tuple))
                parts.append(to_numpy(output if vector else [output]))
    finally:
        for module, training in modes:
            module.__dict__["training"] = training
    return np.concatenate(parts), vector


def predict(model, X, batch_size=None):
    """The model's outputs for the examples X (n x features), in evaluation mode and
    without a graph: an array of n rows, one column per output."""
    return _outputs(model, X, batch_size)[0]


def accuracy(outputs, y):
    """Fraction of examples classified right: with several output columns the class is
    the argmax (logits); with one, class 1 where the logit is > 0."""
    outputs = np.asarray(outputs, dtype=np.float64)
    outputs = outputs.reshape(len(outputs), -1)
    y = np.asarray(y)
    if len(y) != len(outputs):
        raise ValueError(f"accuracy: {len(outputs)} outputs but {len(y)} labels")
    predicted = outputs.argmax(axis=1) if outputs.shape[1] > 1 else (outputs[:, 0] > 0)
    return float(np.mean(predicted.astype(np.int64) == y))


def evaluate(model, X, y, loss_fn=None, batch_size=None):
    """{"loss": loss_fn(outputs, y) over all of X (if ``loss_fn``), "accuracy": ... (if y
    holds integer class labels)}, in evaluation mode without a graph."""
    outputs, vector = _outputs(model, X, batch_size)
    y = np.asarray(y)
    results = {}
    if loss_fn is not None:
        with no_grad():
            values = to_values(outputs)
            results["loss"] = _scalar_loss(loss_fn(values if vector else values[0], y)).data
    if y.dtype.kind in "iu":
        results["accuracy"] = accuracy(outputs, y)
    return results
