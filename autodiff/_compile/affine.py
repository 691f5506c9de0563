"""Replay kernels for groups of ``affine`` nodes (a neuron's weighted sum w . x + b):
the group's weight rows times its input rows, as matrix products."""
import numpy as np

from .groups import BATCH, SCALAR, Group, Reader, Scatter


class AffineGroup(Group):
    """What both affine kernels share: the bias's reader and scatter, and the list of
    scatters (weights, inputs, bias) that backward feeds."""

    def bind_bias(self, bias, need_b, out_kind, input_kind):
        """``bias``: None or (kind, slots); a scalar bias widens to a batched output."""
        self.bias = self.bias_target = None
        self.bias_widen = False
        if bias is not None:
            kind, slots = bias
            self.bias_widen = kind == SCALAR and out_kind == BATCH
            self.bias = Reader(kind, slots, widen=self.bias_widen)
            self.readers.append(self.bias)
            self.bias_target = Scatter(slots) if need_b else None
        self.scatters = [(t, kind) for t, kind in ((self.weight_target, SCALAR),
                                                   (self.input_target, input_kind),
                                                   (self.bias_target, bias[0] if bias else None))
                         if t is not None]


class Affine(AffineGroup):
    """m affine nodes w . x (+ b) with scalar weights, as one matrix product.

    The distinct weight rows (a of them, e.g. a layer's neurons) and distinct input
    rows (b of them: one for a dense layer, the windows of a convolution, the examples
    of per-example graphs) make out = W X^T, an a x b grid of dot products (each a
    batch when the inputs are batched); the group's nodes are its entries, in order
    when they fill the grid. Backward: dW = G X, dX = W^T G, scattered to the slots."""

    def __init__(self, out_kind, out_slots, weight_rows, input_rows, node_pairs, bias,
                 needs, input_kind):
        super().__init__(out_kind, out_slots)
        self.pairs = node_pairs
        self.a, self.k = weight_rows.shape
        self.b = len(input_rows)
        self.full = len(node_pairs) == self.a * self.b      # pairs are sorted and distinct
        self.input_kind = input_kind
        self.weights = Reader(SCALAR, weight_rows, shape=(self.a, self.k))
        if input_kind == BATCH:         # k x (b n): one matrix product for every window
            self.inputs = Reader(BATCH, input_rows.T, shape=(self.k, -1))
        else:
            self.inputs = Reader(SCALAR, input_rows, shape=(self.b, self.k))
        self.readers = [self.weights, self.inputs]
        need_w, need_x, need_b = needs
        self.weight_target = Scatter(weight_rows) if need_w else None
        self.input_target = Scatter(input_rows.T if input_kind == BATCH else input_rows) \
            if need_x else None
        self.row_bias = False
        if bias is not None:
            kind, slots = bias
            slots = np.asarray(slots, dtype=np.intp)
            rows = node_pairs // self.b
            first = np.zeros(self.a, dtype=np.intp)
            first[rows[::-1]] = slots[::-1]
            # one scalar bias per weight row (a layer's, a filter's): added to the row's
            # block of the grid, its gradient the block's sum
            self.row_bias = self.full and kind == SCALAR and out_kind == BATCH and \
                bool(np.all(first[rows] == slots))
            if self.row_bias:
                bias = (kind, first)
        self.bind_bias(bias, need_b, out_kind, input_kind)

    def forward(self):
        weights, inputs = self.weights.read(), self.inputs.read()
        if self.input_kind == BATCH:
            if self.full:
                np.matmul(weights, inputs, out=self.out_view.reshape(self.a, -1))
            else:
                grid = (weights @ inputs).reshape(self.a * self.b, -1)
                self.out_view[...] = grid[self.pairs]
        else:
            grid = (weights @ inputs.T).reshape(self.a * self.b)
            self.out_view[...] = grid if self.full else grid[self.pairs]
        if self.row_bias:
            self.out_view.reshape(self.a, -1)[...] += self.bias.read()
        elif self.bias is not None:
            self.out_view += self.bias.read()
        self.saved = weights, inputs

    def backward(self):
        weights, inputs = self.saved
        upstream = self.upstream
        if self.full:
            grid = upstream
        else:
            grid = np.zeros((self.a * self.b,) + upstream.shape[1:])
            grid[self.pairs] = upstream
        if self.input_kind == BATCH:
            grid = grid.reshape(self.a, -1)                       # a x (b n)
            if self.weight_target is not None:
                self.weight_target.add((grid @ inputs.T).ravel())
            if self.input_target is not None:
                self.input_target.add((weights.T @ grid).reshape(-1, upstream.shape[1]))
        else:
            grid = grid.reshape(self.a, self.b)
            if self.weight_target is not None:
                self.weight_target.add((grid @ inputs).ravel())
            if self.input_target is not None:
                self.input_target.add((grid.T @ weights).ravel())
        if self.bias_target is not None:
            if self.row_bias:
                self.bias_target.add(upstream.reshape(self.a, -1).sum(axis=1))
            else:
                self.bias_target.add(upstream.sum(axis=1) if self.bias_widen else upstream)


class AffineByNode(AffineGroup):
    """m affine nodes whose weight and input rows do not fill a grid: per-node dot
    products (einsum) over gathered rows."""

    def __init__(self, out_kind, out_slots, weight_slots, input_slots, bias, needs, input_kind):
        super().__init__(out_kind, out_slots)
        self.m, self.k = weight_slots.shape
        self.input_kind = input_kind
        self.weights = Reader(SCALAR, weight_slots, shape=(self.m, self.k))
        self.inputs = Reader(input_kind, input_slots, shape=(self.m, self.k, -1)
                             if input_kind == BATCH else (self.m, self.k))
        self.readers = [self.weights, self.inputs]
        need_w, need_x, need_b = needs
        self.weight_target = Scatter(weight_slots) if need_w else None
        self.input_target = Scatter(input_slots) if need_x else None
        self.bind_bias(bias, need_b, out_kind, input_kind)

    def forward(self):
        weights, inputs = self.weights.read(), self.inputs.read()
        if self.input_kind == BATCH:
            self.out_view[...] = np.einsum("mk,mkn->mn", weights, inputs)
        else:
            self.out_view[...] = np.einsum("mk,mk->m", weights, inputs)
        if self.bias is not None:
            self.out_view += self.bias.read()
        self.saved = weights, inputs

    def backward(self):
        weights, inputs = self.saved
        upstream = self.upstream
        batched = self.input_kind == BATCH
        if self.weight_target is not None:
            dw = np.einsum("mn,mkn->mk", upstream, inputs) if batched \
                else upstream[:, None] * inputs
            self.weight_target.add(dw.ravel())
        if self.input_target is not None:
            dx = (weights[:, :, None] * upstream[:, None, :]).reshape(self.m * self.k, -1) \
                if batched else (upstream[:, None] * weights).ravel()
            self.input_target.add(dx)
        if self.bias_target is not None:
            self.bias_target.add(upstream.sum(axis=1) if self.bias_widen else upstream)
