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
import operator

import numpy as np

SCALAR, BATCH = 0, 1

# the table's array forwards that are Python operators, as the numpy ufuncs they call
UFUNCS = {operator.add: np.add, operator.sub: np.subtract, operator.mul: np.multiply,
          operator.truediv: np.true_divide, operator.neg: np.negative}


def index_of(indices):
    """A slice when ``indices`` are consecutive and ascending (a view), else an array."""
    indices = np.asarray(indices, dtype=np.intp).ravel()
    if len(indices) and indices[-1] - indices[0] == len(indices) - 1 and \
            (len(indices) == 1 or bool(np.all(np.diff(indices) == 1))):
        return slice(int(indices[0]), int(indices[-1]) + 1)
    return indices


class Scatter:
    """grads[targets] += contributions, repeated targets summed. A scatter that is the
    first to reach all of its targets in a backward pass assigns instead of adding
    (``assign``, set by the tape's plan), so the grad buffer needs no zeroing."""

    def __init__(self, targets):
        targets = np.asarray(targets, dtype=np.intp).ravel()
        self.targets = set(targets.tolist())
        self.index = index_of(targets)
        self.repeated = type(self.index) is not slice and len(self.targets) < len(targets)
        self.single = self.repeated and len(self.targets) == 1
        if self.single:                    # one target (a shared operand): a sum over axis 0
            self.index, self.repeated = slice(int(targets[0]), int(targets[0]) + 1), False
        if self.repeated:
            self.unique, inverse = np.unique(targets, return_inverse=True)
            self.inverse = inverse.ravel()
            self.order = np.argsort(self.inverse, kind="stable")
            self.starts = np.searchsorted(self.inverse[self.order], np.arange(len(self.unique)))
        self.count = len(targets)
        self.assign = False

    def bind(self, grads):
        """Fix the grad buffer (a view of the targets when they are consecutive)."""
        self.grads = grads
        self.view = grads[self.index] if type(self.index) is slice else None
        return self

    def add_scaled(self, scale, contribution):
        """add(scale * contribution) for a number ``scale``: for a single target the
        rows are summed first, then scaled."""
        if self.single:
            self._put(self.view, Ellipsis, scale * contribution.sum(axis=0))
        else:
            self.add(contribution if scale == 1.0 else scale * contribution)

    def _put(self, array, index, value):
        if self.assign:
            array[index] = value
        else:
            array[index] += value

    def add(self, contribution):
        view = self.view
        if self.single:
            self._put(view, Ellipsis, np.broadcast_to(
                contribution, (self.count,) + view.shape[1:]).sum(axis=0))
        elif view is not None:
            self._put(view, Ellipsis, contribution)
        elif not self.repeated:
            self._put(self.grads, self.index, contribution)
        elif self.grads.ndim == 1:
            self._put(self.grads, self.unique, np.bincount(
                self.inverse, weights=np.broadcast_to(contribution, (self.count,)),
                minlength=len(self.unique)))
        else:
            full = np.broadcast_to(contribution, (self.count, self.grads.shape[1]))
            self._put(self.grads, self.unique, np.add.reduceat(full[self.order], self.starts,
                                                               axis=0))


class Reader:
    """Operand rows of a group: a fixed view when consecutive, else a gather."""

    def __init__(self, kind, slots, widen=False, shape=None):
        self.kind, self.index, self.widen, self.shape = kind, index_of(slots), widen, shape

    def bind(self, buffers):
        self.buffer = buffers[self.kind]
        self.view = self._read() if type(self.index) is slice else None
        return self

    def _read(self):
        x = self.buffer[self.index]
        if self.shape is not None:
            x = x.reshape(self.shape)
        return x[:, None] if self.widen else x

    def read(self):
        view = self.view
        return view if view is not None else self._read()


class Group:
    """Base: the output kind and slots; ``bind(buffers, grads)`` once, then
    ``forward()`` and ``backward()`` on every replay. ``scatters``: (Scatter, kind) in
    the order backward uses them; ``raw_targets``: grads written without a Scatter."""

    def __init__(self, out_kind, out_slots):
        self.out_kind, self.out = out_kind, index_of(out_slots)
        self.size = len(out_slots)
        self.readers, self.scatters, self.raw_targets = [], [], []

    def bind(self, buffers, grads):
        self.out_view = buffers[self.out_kind][self.out]
        self.upstream = grads[self.out_kind][self.out]
        for reader in self.readers:
            if reader is not None:
                reader.bind(buffers)
        for scatter, kind in self.scatters:
            scatter.bind(grads[kind])


class Elementwise(Group):
    """Any primitive of the table applied to m nodes at once: array_forward and the
    local-derivative rule on (m,) scalars or (m, batch) rows."""

    def __init__(self, primitive, out_kind, out_slots, kinds, slots, needs):
        super().__init__(out_kind, out_slots)
        self.primitive, self.forward_rule, self.check = (
            primitive, primitive.array_forward, primitive.check)
        # one operand shared by every node (x - m): a one-row view that broadcasts
        self.readers = [Reader(kind, s[:1] if len(set(np.asarray(s).tolist())) == 1 else s,
                               kind == SCALAR and out_kind == BATCH)
                        for kind, s in zip(kinds, slots)]
        self.widen = [reader.widen for reader in self.readers]
        self.targets = [Scatter(s) if need else None for s, need in zip(slots, needs)]
        self.scatters = [(t, kind) for t, kind in zip(self.targets, kinds) if t is not None]
        self.relu = primitive.name == "relu"
        # maximum/minimum: the table's two indicators sum to 1 (ties split 1/2, 1/2), so
        # the second is 1 - the first: one indicator computed instead of two
        self.pair = {"maximum": np.greater, "minimum": np.less}.get(primitive.name) \
            if len(kinds) == 2 else None
        forward = UFUNCS.get(self.forward_rule, self.forward_rule)
        self.ufunc = forward if isinstance(forward, np.ufunc) and forward.nout == 1 and \
            forward.nin == len(kinds) else None

    def forward(self):
        operands = [reader.read() for reader in self.readers]
        if self.check is not None:
            self.check(*operands)
        if self.ufunc is not None:         # written straight into the buffer
            self.ufunc(*operands, out=self.out_view)
        else:
            self.out_view[...] = self.forward_rule(*operands)
        self.operands = operands

    def backward(self):
        upstream, out = self.upstream, self.out_view
        if self.relu:      # d relu/dx = [x > 0] = [out > 0]: one comparison, no branches
            if self.targets[0] is not None:
                self.targets[0].add(upstream * (out > 0.0))
            return
        operands = self.operands
        if self.pair is not None:
            a, b = operands
            first = upstream * (self.pair(a, b) + 0.5 * np.equal(a, b))
            contributions = (first, upstream - first)
            for target, contribution, widen in zip(self.targets, contributions, self.widen):
                if target is not None:
                    target.add(contribution.sum(axis=1) if widen else contribution)
            return
        locals_ = self.primitive.local_grads_of(*operands, out)
        for target, local, widen in zip(self.targets, locals_, self.widen):
            if target is None:
                continue
            if type(local) is float:
                target.add_scaled(local, upstream.sum(axis=1) if widen else upstream)
                continue
            contribution = local * upstream
            if widen:
                contribution = contribution.sum(axis=1)
            target.add(contribution)


class Identity(Group):
    """batch_sum / batch_mean of a scalar (the identity) for m nodes."""

    def __init__(self, out_slots, slots, need):
        super().__init__(SCALAR, out_slots)
        self.readers = [Reader(SCALAR, slots)]
        self.target = Scatter(slots) if need else None
        self.scatters = [(self.target, SCALAR)] if need else []

    def forward(self):
        self.out_view[...] = self.readers[0].read()

    def backward(self):
        if self.target is not None:
            self.target.add(self.upstream)


class BatchReduce(Group):
    """batch_sum / batch_mean of m batched nodes: row sums (means) into scalars."""

    def __init__(self, mean, out_slots, slots, need, batch_size):
        super().__init__(SCALAR, out_slots)
        self.readers = [Reader(BATCH, slots)]
        self.mean = mean
        self.scale = 1.0 / batch_size if mean else 1.0
        self.target = Scatter(slots) if need else None
        self.scatters = [(self.target, BATCH)] if need else []

    def forward(self):
        rows = self.readers[0].read()
        self.out_view[...] = rows.mean(axis=1) if self.mean else rows.sum(axis=1)

    def backward(self):
        if self.target is not None:
            self.target.add((self.upstream * self.scale)[:, None])


class Sum(Group):
    """n-ary sums of m nodes: kb batched operands and ks scalar operands each."""

    def __init__(self, out_kind, out_slots, batch_slots, scalar_slots, batch_needs, scalar_needs):
        super().__init__(out_kind, out_slots)
        m = len(out_slots)
        self.kb, self.ks = batch_slots.shape[1], scalar_slots.shape[1]
        self.batch = Reader(BATCH, batch_slots, shape=(m, self.kb, -1)) if self.kb else None
        self.scalar = Reader(SCALAR, scalar_slots, shape=(m, self.ks)) if self.ks else None
        self.readers = [self.batch, self.scalar]
        self.batch_target = Scatter(batch_slots) if batch_needs else None
        self.scalar_target = Scatter(scalar_slots) if scalar_needs else None
        self.scatters = [(t, kind) for t, kind in ((self.batch_target, BATCH),
                                                   (self.scalar_target, SCALAR)) if t is not None]

    def forward(self):
        out = self.out_view
        if self.kb:
            np.sum(self.batch.read(), axis=1, out=out)
            if self.ks:
                out += self.scalar.read().sum(axis=1)[:, None]
        else:
            np.sum(self.scalar.read(), axis=1, out=out)

    def backward(self):
        upstream = self.upstream
        if self.batch_target is not None:
            self.batch_target.add(np.repeat(upstream, self.kb, axis=0) if self.kb > 1
                                  else upstream)
        if self.scalar_target is not None:
            summed = upstream.sum(axis=1) if self.out_kind == BATCH else upstream
            self.scalar_target.add(np.repeat(summed, self.ks) if self.ks > 1 else summed)


class NodeByNode(Group):
    """Fallback for a group no kernel above takes (e.g. affine with batched weights):
    the table's forward and rule node by node. Correct, not fast."""

    def __init__(self, primitive, out_kind, out_slots, kinds, slots, needs, sequence):
        super().__init__(out_kind, out_slots)
        self.primitive, self.kinds, self.slots, self.needs = primitive, kinds, slots, needs
        self.sequence = sequence          # True: forward takes one tuple (sum, affine)
        self.out_slots = list(out_slots)
        self.raw_targets = [(kind, s) for node_kinds, node_slots, node_needs in
                            zip(kinds, slots, needs)
                            for kind, s, need in zip(node_kinds, node_slots, node_needs) if need]

    def bind(self, buffers, grads):
        super().bind(buffers, grads)
        self.buffers, self.grads = buffers, grads

    def _datas(self, node):
        return [self.buffers[kind][s] if kind == BATCH else float(self.buffers[kind][s])
                for kind, s in zip(self.kinds[node], self.slots[node])]

    def forward(self):
        for node, slot in enumerate(self.out_slots):
            datas = self._datas(node)
            batched = BATCH in self.kinds[node]
            forward = self.primitive.array_forward if batched else self.primitive.float_forward
            self.buffers[self.out_kind][slot] = forward(tuple(datas)) if self.sequence \
                else forward(*datas)

    def backward(self):
        for node, slot in enumerate(self.out_slots):
            datas = self._datas(node)
            out = self.buffers[self.out_kind][slot]
            upstream = self.grads[self.out_kind][slot]
            locals_ = self.primitive.local_grads_of(*datas, out)
            for kind, s, local, need in zip(self.kinds[node], self.slots[node], locals_,
                                            self.needs[node]):
                if need:
                    contribution = local * upstream
                    if kind == SCALAR and np.ndim(contribution):
                        contribution = float(np.sum(contribution))
                    self.grads[kind][s] += contribution
