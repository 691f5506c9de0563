"""Replay kernels for ``compile``: one numpy call (or a few) per group of like nodes.

Every node's value lives in one of two buffers: ``S`` (1-D, one entry per scalar node:
parameters first) or ``V`` (2-D, one row of batch length per batched node). A group is
a set of nodes of one level with the same primitive and operand kinds; its outputs
are consecutive entries (rows), so they are written as one slice, and when its
operands are consecutive too they are read as views rather than gathered.

Backward runs the groups in reverse: upstream = the group's slice of the grad buffer,
contribution = local * upstream along each operand position (summed over the batch
for a scalar operand of a batched node), scattered into the operands' grads
(``np.bincount`` / ``np.add.reduceat`` when a target repeats, never ``np.add.at``).
"""
import numpy as np

SCALAR, BATCH = 0, 1


def index_of(indices):
    """A slice when ``indices`` are consecutive and ascending (a view), else an array."""
    indices = np.asarray(indices, dtype=np.intp).ravel()
    if len(indices) and indices[-1] - indices[0] == len(indices) - 1 and \
            (len(indices) == 1 or bool(np.all(np.diff(indices) == 1))):
        return slice(int(indices[0]), int(indices[-1]) + 1)
    return indices


def gather(buffer, indices, shape):
    """buffer[indices] shaped ``shape`` (+ the batch axis): a view when consecutive."""
    index = index_of(indices)
    return (buffer[index] if type(index) is slice else buffer[index]).reshape(
        shape + buffer.shape[1:])


class Scatter:
    """grads[targets] += contributions, repeated targets summed."""

    def __init__(self, targets):
        targets = np.asarray(targets, dtype=np.intp).ravel()
        self.index = index_of(targets)
        self.repeated = type(self.index) is not slice and len(np.unique(targets)) < len(targets)
        if self.repeated:
            self.unique, inverse = np.unique(targets, return_inverse=True)
            self.inverse = inverse.ravel()
            self.order = np.argsort(self.inverse, kind="stable")
            self.starts = np.searchsorted(self.inverse[self.order], np.arange(len(self.unique)))
        self.count = len(targets)

    def add(self, grads, contribution):
        if not self.repeated:
            grads[self.index] += contribution
        elif grads.ndim == 1:
            grads[self.unique] += np.bincount(self.inverse, weights=np.broadcast_to(
                contribution, (self.count,)), minlength=len(self.unique))
        else:
            full = np.broadcast_to(contribution, (self.count, grads.shape[1]))
            grads[self.unique] += np.add.reduceat(full[self.order], self.starts, axis=0)


class Group:
    """Base: the output kind and slice; ``forward(buffers)``, ``backward(buffers, grads)``."""

    def __init__(self, out_kind, out_slots):
        self.out_kind, self.out = out_kind, index_of(out_slots)
        self.size = len(out_slots)


class Elementwise(Group):
    """Any primitive of the table applied to m nodes at once: array_forward and the
    local-derivative rule on (m,) scalars or (m, batch) rows."""

    def __init__(self, primitive, out_kind, out_slots, kinds, slots, needs):
        super().__init__(out_kind, out_slots)
        self.primitive, self.forward_rule, self.check = (
            primitive, primitive.array_forward, primitive.check)
        m = len(out_slots)
        self.sources = [(kind, index_of(s), kind == SCALAR and out_kind == BATCH)
                        for kind, s in zip(kinds, slots)]
        self.scatters = [Scatter(s) if need else None for s, need in zip(slots, needs)]
        self.m = m

    def forward(self, buffers):
        operands = []
        for kind, index, widen in self.sources:
            x = buffers[kind][index]
            operands.append(x[:, None] if widen else x)
        if self.check is not None:
            self.check(*operands)
        out = buffers[self.out_kind][self.out]
        out[...] = self.forward_rule(*operands)
        self.saved = operands, out

    def backward(self, buffers, grads):
        operands, out = self.saved
        upstream = grads[self.out_kind][self.out]
        locals_ = self.primitive.local_grads_of(*operands, out)
        for (kind, _, widen), scatter, local in zip(self.sources, self.scatters, locals_):
            if scatter is None:
                continue
            contribution = upstream if (type(local) is float and local == 1.0) \
                else local * upstream
            if widen:
                contribution = contribution.sum(axis=1)
            scatter.add(grads[kind], contribution)


class Identity(Group):
    """batch_sum / batch_mean of a scalar (the identity) for m nodes."""

    def __init__(self, out_slots, slots, need):
        super().__init__(SCALAR, out_slots)
        self.source = index_of(slots)
        self.scatter = Scatter(slots) if need else None

    def forward(self, buffers):
        buffers[SCALAR][self.out] = buffers[SCALAR][self.source]

    def backward(self, buffers, grads):
        if self.scatter is not None:
            self.scatter.add(grads[SCALAR], grads[SCALAR][self.out])


class BatchReduce(Group):
    """batch_sum / batch_mean of m batched nodes: row sums (means) into scalars."""

    def __init__(self, mean, out_slots, slots, need, batch_size):
        super().__init__(SCALAR, out_slots)
        self.source, self.mean = index_of(slots), mean
        self.scale = 1.0 / batch_size if mean else 1.0
        self.scatter = Scatter(slots) if need else None

    def forward(self, buffers):
        rows = buffers[BATCH][self.source]
        buffers[SCALAR][self.out] = rows.mean(axis=1) if self.mean else rows.sum(axis=1)

    def backward(self, buffers, grads):
        if self.scatter is not None:
            upstream = grads[SCALAR][self.out]
            self.scatter.add(grads[BATCH], (upstream * self.scale)[:, None])


class Sum(Group):
    """n-ary sums of m nodes: kb batched operands and ks scalar operands each."""

    def __init__(self, out_kind, out_slots, batch_slots, scalar_slots, batch_needs, scalar_needs):
        super().__init__(out_kind, out_slots)
        self.batch_slots, self.scalar_slots = batch_slots, scalar_slots
        m = len(out_slots)
        self.kb, self.ks = batch_slots.shape[1], scalar_slots.shape[1]
        self.batch_scatter = Scatter(batch_slots) if batch_needs else None
        self.scalar_scatter = Scatter(scalar_slots) if scalar_needs else None
        self.batch_index = index_of(batch_slots) if self.kb else None
        self.scalar_index = index_of(scalar_slots) if self.ks else None
        self.m = m

    def forward(self, buffers):
        total = None
        if self.kb:
            rows = buffers[BATCH][self.batch_index]
            total = rows.reshape(self.m, self.kb, -1).sum(axis=1) if self.kb > 1 else rows
        if self.ks:
            scalars = buffers[SCALAR][self.scalar_index].reshape(self.m, self.ks).sum(axis=1)
            total = scalars if total is None else total + scalars[:, None]
        buffers[self.out_kind][self.out] = total

    def backward(self, buffers, grads):
        upstream = grads[self.out_kind][self.out]
        if self.batch_scatter is not None:
            self.batch_scatter.add(grads[BATCH], np.repeat(upstream, self.kb, axis=0)
                                   if self.kb > 1 else upstream)
        if self.scalar_scatter is not None:
            summed = upstream.sum(axis=1) if self.out_kind == BATCH else upstream
            self.scalar_scatter.add(grads[SCALAR], np.repeat(summed, self.ks)
                                    if self.ks > 1 else summed)


class Affine(Group):
    """m affine nodes w . x (+ b) with scalar weights, as one matrix product.

    The distinct weight rows (a of them, e.g. a layer's neurons) and distinct input
    rows (b of them: one for a dense layer, the windows of a convolution, the examples
    of per-example graphs) make out = W X^T, an a x b grid of dot products (each a
    batch when the inputs are batched); the group's nodes are its entries, in order
    when they fill the grid. Backward: dW = G X, dX = W^T G, scattered to the slots."""

    def __init__(self, out_kind, out_slots, weight_rows, input_rows, node_pairs, bias,
                 needs, input_kind):
        super().__init__(out_kind, out_slots)
        self.weight_rows, self.input_rows, self.pairs = weight_rows, input_rows, node_pairs
        self.a, self.k = weight_rows.shape
        self.b = len(input_rows)
        self.full = len(node_pairs) == self.a * self.b      # pairs are sorted and distinct
        self.input_kind = input_kind
        self.weight_index = index_of(weight_rows)
        self.input_index = index_of(input_rows.T) if input_kind == BATCH else index_of(input_rows)
        need_w, need_x, need_b = needs
        self.weight_scatter = Scatter(weight_rows) if need_w else None
        self.input_scatter = Scatter(input_rows.T if input_kind == BATCH else input_rows) \
            if need_x else None
        self.bias = None
        if bias is not None:
            kind, slots = bias
            self.bias = (kind, index_of(slots), Scatter(slots) if need_b else None)

    def forward(self, buffers):
        S = buffers[SCALAR]
        weights = S[self.weight_index].reshape(self.a, self.k)
        if self.input_kind == BATCH:
            inputs = buffers[BATCH][self.input_index].reshape(self.k, -1)   # k x (b n)
            grid = (weights @ inputs).reshape(self.a * self.b, -1)
        else:
            inputs = S[self.input_index].reshape(self.b, self.k)
            grid = (weights @ inputs.T).reshape(self.a * self.b)
        out = grid if self.full else grid[self.pairs]
        if self.bias is not None:
            kind, index, _ = self.bias
            bias = buffers[kind][index]
            out = out + (bias[:, None] if kind == SCALAR and self.out_kind == BATCH else bias)
        buffers[self.out_kind][self.out] = out
        self.saved = weights, inputs

    def backward(self, buffers, grads):
        weights, inputs = self.saved
        upstream = grads[self.out_kind][self.out]
        if self.full:
            grid = upstream
        else:
            grid = np.zeros((self.a * self.b,) + upstream.shape[1:])
            grid[self.pairs] = upstream
        if self.input_kind == BATCH:
            grid = grid.reshape(self.a, -1)                       # a x (b n)
            if self.weight_scatter is not None:
                self.weight_scatter.add(grads[SCALAR], (grid @ inputs.T).ravel())
            if self.input_scatter is not None:
                width = upstream.shape[1]
                self.input_scatter.add(grads[BATCH], (weights.T @ grid).reshape(-1, width))
        else:
            grid = grid.reshape(self.a, self.b)
            if self.weight_scatter is not None:
                self.weight_scatter.add(grads[SCALAR], (grid @ inputs).ravel())
            if self.input_scatter is not None:
                self.input_scatter.add(grads[SCALAR], (grid.T @ weights).ravel())
        if self.bias is not None and self.bias[2] is not None:
            kind = self.bias[0]
            self.bias[2].add(grads[kind], upstream.sum(axis=1)
                             if kind == SCALAR and self.out_kind == BATCH else upstream)


class AffineByNode(Group):
    """m affine nodes whose weight and input rows do not fill a grid: per-node dot
    products (einsum) over gathered rows."""

    def __init__(self, out_kind, out_slots, weight_slots, input_slots, bias, needs, input_kind):
        super().__init__(out_kind, out_slots)
        self.m, self.k = weight_slots.shape
        self.input_kind = input_kind
        self.weight_index, self.input_index = index_of(weight_slots), index_of(input_slots)
        need_w, need_x, need_b = needs
        self.weight_scatter = Scatter(weight_slots) if need_w else None
        self.input_scatter = Scatter(input_slots) if need_x else None
        self.bias = None
        if bias is not None:
            kind, slots = bias
            self.bias = (kind, index_of(slots), Scatter(slots) if need_b else None)

    def forward(self, buffers):
        weights = buffers[SCALAR][self.weight_index].reshape(self.m, self.k)
        inputs = buffers[self.input_kind][self.input_index]
        if self.input_kind == BATCH:
            inputs = inputs.reshape(self.m, self.k, -1)
            out = np.einsum("mk,mkn->mn", weights, inputs)
        else:
            inputs = inputs.reshape(self.m, self.k)
            out = np.einsum("mk,mk->m", weights, inputs)
        if self.bias is not None:
            kind, index, _ = self.bias
            bias = buffers[kind][index]
            out = out + (bias[:, None] if kind == SCALAR and self.out_kind == BATCH else bias)
        buffers[self.out_kind][self.out] = out
        self.saved = weights, inputs

    def backward(self, buffers, grads):
        weights, inputs = self.saved
        upstream = grads[self.out_kind][self.out]
        batched = self.input_kind == BATCH
        if self.weight_scatter is not None:
            dw = np.einsum("mn,mkn->mk", upstream, inputs) if batched \
                else upstream[:, None] * inputs
            self.weight_scatter.add(grads[SCALAR], dw.ravel())
        if self.input_scatter is not None:
            dx = (weights[:, :, None] * upstream[:, None, :]).reshape(self.m * self.k, -1) \
                if batched else (upstream[:, None] * weights).ravel()
            self.input_scatter.add(grads[self.input_kind], dx)
        if self.bias is not None and self.bias[2] is not None:
            kind = self.bias[0]
            self.bias[2].add(grads[kind], upstream.sum(axis=1)
                             if kind == SCALAR and self.out_kind == BATCH else upstream)


class NodeByNode(Group):
    """Fallback for a group no kernel above takes (e.g. affine with batched weights):
    the table's forward and rule node by node. Correct, not fast."""

    def __init__(self, primitive, out_kind, out_slots, kinds, slots, needs, sequence):
        super().__init__(out_kind, out_slots)
        self.primitive, self.kinds, self.slots, self.needs = primitive, kinds, slots, needs
        self.sequence = sequence          # True: forward takes one tuple (sum, affine)
        self.out_slots = list(out_slots)

    def forward(self, buffers):
        for node, slot in enumerate(self.out_slots):
            datas = [buffers[kind][s] if kind == BATCH else float(buffers[kind][s])
                     for kind, s in zip(self.kinds[node], self.slots[node])]
            batched = any(kind == BATCH for kind in self.kinds[node])
            forward = self.primitive.array_forward if batched else self.primitive.float_forward
            buffers[self.out_kind][slot] = forward(tuple(datas)) if self.sequence \
                else forward(*datas)

    def backward(self, buffers, grads):
        for node, slot in enumerate(self.out_slots):
            kinds, slots = self.kinds[node], self.slots[node]
            datas = [buffers[kind][s] if kind == BATCH else float(buffers[kind][s])
                     for kind, s in zip(kinds, slots)]
            out = buffers[self.out_kind][slot]
            upstream = grads[self.out_kind][slot]
            locals_ = self.primitive.local_grads_of(*datas, out)
            for kind, s, local, need in zip(kinds, slots, locals_, self.needs[node]):
                if need:
                    contribution = local * upstream
                    if kind == SCALAR and np.ndim(contribution):
                        contribution = float(np.sum(contribution))
                    grads[kind][s] += contribution
