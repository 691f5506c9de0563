"""Dropout: randomly silence units while training, scaled so the expected output is x."""
import numbers

from .module import Module
from .rng import child_generator
from .values import as_input, map_values


class Dropout(Module):
    """Inverted dropout, as ``torch.nn.Dropout``.

    Training: y = x * m / (1 - p), m ~ Bernoulli(1 - p) drawn independently for every
    unit (and, for a batched Value, for every example: the mask is an array), so
    E[y] = x and d y / d x = m / (1 - p). Evaluation: y = x.

    ``seed``: an int (the masks are reproducible), a numpy Generator (used as the
    layer's own), or None (seeded from the default generator: ``nn.manual_seed``).
    The layer's ``generator`` attribute may be replaced to replay masks.
    """

    def __init__(self, p=0.5, seed=None):
        if not isinstance(p, numbers.Real) or isinstance(p, bool) or not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be a probability in [0, 1], got {p!r}")
        super().__init__()
        self.p = float(p)
        self.generator = child_generator(seed, "Dropout")

    def forward(self, x):
        """x * m / (1 - p) elementwise in training mode, x in evaluation mode."""
        if not self.training or self.p == 0.0:
            return x
        return map_values(self._drop, as_input(x))

    def _drop(self, value):
        keep = 1.0 - self.p
        data = getattr(value, "data", value)
        if type(data) is float or not hasattr(data, "__len__"):
            mask = float(self.generator.random() < keep)
        else:
            mask = (self.generator.random(len(data)) < keep).astype(float)
        return value * (mask / keep if keep > 0.0 else mask)

    def extra_repr(self):
        return f"p={self.p}"
