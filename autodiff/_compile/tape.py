"""The tape of one compiled step (one structure, one batch size): the buffer layout,
the groups by level, and a replay = refresh the leaves, forward the groups in order,
backward them in reverse.

A node's level is 1 + the highest level of its operands (leaves are level 0): nodes
of one level never depend on each other, so each group of one level with the same
primitive and operand kinds is computed by one kernel (groups.py).
"""
from math import isnan

import numpy as np

from .affine import Affine, AffineByNode
from .groups import (BATCH, SCALAR, BatchReduce, Elementwise, Identity, NodeByNode,
                              Sum, index_of)


def _levels(graph):
    level = [0] * len(graph.values)
    for i, operands in enumerate(graph.operands):
        if graph.primitive[i] is not None and graph.alive[i]:
            level[i] = 1 + max(level[j] for j in operands)
    return level


def _key(graph, i):
    """What a node must share with the others of its group (besides its level)."""
    primitive, operands, kind = graph.primitive[i], graph.operands[i], graph.kind
    name = primitive.name
    kinds = tuple(kind[j] for j in operands)
    if name == "affine":
        k = len(operands) // 2
        weight_kinds, input_kinds = set(kinds[:k]), set(kinds[k:2 * k])
        if weight_kinds == {SCALAR} and len(input_kinds) == 1:
            return ("affine", k, kinds[k], kinds[2 * k:])
        return ("nodes", primitive, kinds)
    if name == "sum":
        return ("sum", kinds.count(BATCH), kinds.count(SCALAR), kind[i])
    if name in ("batch_sum", "batch_mean"):
        return (name, kinds)
    if kind[i] == SCALAR and BATCH in kinds:      # another batch -> number (index): node by node
        return ("nodes", primitive, kinds)
    return ("elementwise", primitive, kinds)


def _distinct_rows(matrix):
    """(the distinct rows, ordered by their slots, and each row's number among them)."""
    numbers = {}
    inverse = [numbers.setdefault(row, len(numbers)) for row in map(tuple, matrix.tolist())]
    rows = sorted(numbers)
    renumber = np.empty(len(rows), dtype=np.intp)
    renumber[[numbers[row] for row in rows]] = np.arange(len(rows))
    return (np.array(rows, dtype=np.intp).reshape(len(rows), matrix.shape[1]),
            renumber[np.array(inverse, dtype=np.intp)])


def _leaf_order(role, i):
    """Where a leaf goes among the non-parameter leaves: data by (argument, position),
    then recomputed constants by (record, row), then the rest in graph order."""
    if role[0] == "data":
        return (0, role[1], int(role[2][0]), i)
    if role[0] == "constant":
        return (1, role[1], role[2], i)
    return (2, 0, 0, i)


def _pad_partial_rows(graph, buckets, slot, sizes, needs):
    """Affine nodes whose weights are part of a longer node's weight row at the same
    level (a padded convolution's border windows skip the padding's terms) join that
    node's group, the missing inputs read from a row of zeros (w * 0 adds exactly 0):
    one matrix product instead of gathers per border shape. Changes ``buckets``."""
    by_level = {}
    for key in buckets:
        if key[1] == "affine":
            by_level.setdefault(key[0], []).append(key)
    zeros = {}
    for keys in by_level.values():
        full = max(keys, key=lambda key: key[2])
        k = full[2]
        column = {}
        for i in buckets[full]:
            row = tuple(graph.operands[i][:k])
            for c, j in enumerate(row):
                column.setdefault(j, (row, c))
        for key in keys:
            if key is full or key[3:] != full[3:] or 3 * key[2] < k:
                continue                       # (padding more than doubles the work)
            short, padded = key[2], []
            for i in buckets[key]:
                operands = graph.operands[i]
                places = [column.get(j) for j in operands[:short]]
                if None in places or len({row for row, _ in places}) != 1 or \
                        len({c for _, c in places}) != short:
                    break
                padded.append((i, places))
            else:
                input_kind = key[3]
                if input_kind not in zeros:          # a leaf that stays 0
                    zeros[input_kind] = len(slot)
                    slot.append(sizes[input_kind])
                    sizes[input_kind] += 1
                    for column_list, entry in ((graph.kind, input_kind), (needs, False),
                                               (graph.operands, []), (graph.primitive, None),
                                               (graph.alive, True), (graph.leaf, ("zero",))):
                        column_list.append(entry)
                for i, places in padded:
                    operands = graph.operands[i]
                    inputs = [zeros[input_kind]] * k
                    for (_, c), x in zip(places, operands[short:2 * short]):
                        inputs[c] = x
                    graph.operands[i] = list(places[0][0]) + inputs + operands[2 * short:]
                buckets[full].extend(buckets.pop(key))


dot = np.dot


def _raise_nan(values, kind, what):
    """Raise as the eager engine does (``Value``'s data conversion) for numbers a
    replay would write into the tape that hold a NaN."""
    flat = values.ravel()
    if kind == BATCH:
        example = int(np.argwhere(np.isnan(values))[0][-1])
        raise ValueError(f"Value: data is NaN at example {example} ({what})")
    entry = int(np.flatnonzero(np.isnan(flat))[0])
    raise ValueError(f"Value: data is NaN ({what}, entry {entry})")


class Tape:
    """Layout, groups and replay of one traced step."""

    def __init__(self, graph, loss, parameter_count, recorder, batch_size):
        self.batch_size = batch_size or 1
        values, kind, alive = graph.values, graph.kind, graph.alive
        count = len(values)
        self.slot = slot = [-1] * count
        sizes = [parameter_count, 0]
        needs = [False] * count
        self.data_plan, self.constant_plan = {}, []
        others = []
        for i in range(count):
            role = graph.leaf[i]
            if role is None:
                continue
            if role[0] == "param":
                slot[i], needs[i] = role[1], True
            else:
                others.append(i)
        for i in sorted(others, key=lambda i: _leaf_order(graph.leaf[i], i)):
            slot[i] = sizes[kind[i]]        # data by argument and column, then constants:
            sizes[kind[i]] += 1             # a layer's inputs are consecutive rows
        for i in range(count):
            if graph.primitive[i] is not None and alive[i]:
                needs[i] = any(needs[j] for j in graph.operands[i])
        receives = [False] * count          # a gradient reaches it (not behind stop_gradient)
        receives[graph.number[id(loss)]] = True
        for i in range(count - 1, -1, -1):
            primitive = graph.primitive[i]
            if receives[i] and primitive is not None and alive[i] and \
                    getattr(primitive, "passes_gradient", True):
                for j in graph.operands[i]:
                    receives[j] = True
        needs = [n and r for n, r in zip(needs, receives)]
        level = _levels(graph)
        self.node_count = sum(1 for i in range(count)
                              if alive[i] and graph.primitive[i] is not None)
        self.level_count = max(level) if level else 0
        buckets = {}
        for i in range(count):
            if graph.primitive[i] is not None and alive[i]:
                buckets.setdefault((level[i],) + _key(graph, i), []).append(i)
        _pad_partial_rows(graph, buckets, slot, sizes, needs)
        self.groups, self.backward_groups = [], []
        for key in sorted(buckets, key=lambda key: key[0]):
            group = self._group(graph, key, buckets[key], sizes, needs)
            self.groups.append(group)
            if any(needs[i] for i in buckets[key]):
                self.backward_groups.append(group)
        self.S = np.zeros(sizes[SCALAR])
        self.V = np.zeros((sizes[BATCH], self.batch_size))
        self.GS, self.GV = np.zeros_like(self.S), np.zeros_like(self.V)
        self.buffers, self.grads = [self.S, self.V], [self.GS, self.GV]
        for group in self.groups:
            group.bind(self.buffers, self.grads)
        self.loss_slot = slot[graph.number[id(loss)]]
        self.zero_plan = self._plan_first_writes()
        self.parameter_count = parameter_count
        self._plan_leaves(graph, recorder)
        self.loss = None

    def __repr__(self):
        batch = f"batch of {self.batch_size}" if self.V.shape[0] else "unbatched"
        return (f"Tape({batch}: {self.node_count} operations, {self.level_count} levels, "
                f"{len(self.groups)} groups)")

    def _group(self, graph, key, nodes, sizes, needs):
        slot, kind, operands = self.slot, graph.kind, graph.operands
        primitive = graph.primitive[nodes[0]]
        name = key[1]
        out_kind = kind[nodes[0]]

        def slots_of(position_nodes, positions):
            return np.array([[slot[operands[i][p]] for p in positions] for i in position_nodes],
                            dtype=np.intp).reshape(len(position_nodes), len(positions))

        def assign(ordered):
            start = sizes[out_kind]
            for offset, i in enumerate(ordered):
                slot[i] = start + offset
            sizes[out_kind] += len(ordered)
            return list(range(start, start + len(ordered)))

        def need(ordered, position):
            return any(needs[operands[i][position]] for i in ordered)

        if name == "affine":
            k, input_kind, bias_kinds = key[2], key[3], key[4]
            weights = slots_of(nodes, range(k))
            inputs = slots_of(nodes, range(k, 2 * k))
            weight_rows, wi = _distinct_rows(weights)
            input_rows, xi = _distinct_rows(inputs)
            b = len(input_rows)
            pairs = wi * b + xi
            order = np.argsort(pairs, kind="stable")
            ordered = [nodes[j] for j in order]
            out_slots = assign(ordered)
            has_bias = bool(bias_kinds)
            grad_needs = (any(need(ordered, p) for p in range(k)),
                          any(need(ordered, p) for p in range(k, 2 * k)),
                          has_bias and need(ordered, 2 * k))
            bias = (bias_kinds[0], slots_of(ordered, [2 * k]).ravel()) if has_bias else None
            distinct = len(np.unique(pairs)) == len(pairs)
            if distinct and len(weight_rows) * b <= 2 * len(nodes):
                return Affine(out_kind, out_slots, weight_rows, input_rows, pairs[order], bias,
                              grad_needs, input_kind)
            return AffineByNode(out_kind, out_slots, weights[order], inputs[order], bias,
                                grad_needs, input_kind)
        if name == "sum":
            ordered = sorted(nodes, key=lambda i: slot[operands[i][0]])
            for i in ordered:          # batched operands first (the sum is commutative)
                operands[i] = sorted(operands[i], key=lambda j: -kind[j])
            out_slots = assign(ordered)
            kb = key[2]
            arity = len(operands[ordered[0]])
            return Sum(out_kind, out_slots, slots_of(ordered, range(kb)),
                       slots_of(ordered, range(kb, arity)),
                       any(need(ordered, p) for p in range(kb)),
                       any(need(ordered, p) for p in range(kb, arity)))
        ordered = sorted(nodes, key=lambda i: (kind[operands[i][0]], slot[operands[i][0]]))
        out_slots = assign(ordered)
        arity = len(operands[ordered[0]])
        kinds = [kind[j] for j in operands[ordered[0]]]
        columns = [slots_of(ordered, [p]).ravel() for p in range(arity)]
        if name in ("batch_sum", "batch_mean"):
            if kinds[0] == SCALAR:
                return Identity(out_slots, columns[0], need(ordered, 0))
            return BatchReduce(name == "batch_mean", out_slots, columns[0], need(ordered, 0),
                               self.batch_size)
        if name == "nodes":
            return NodeByNode(primitive, out_kind, out_slots,
                              [[kind[j] for j in operands[i]] for i in ordered],
                              [[slot[j] for j in operands[i]] for i in ordered],
                              [[needs[j] for j in operands[i]] for i in ordered],
                              sequence=primitive.name in ("sum", "affine"))
        return Elementwise(primitive, out_kind, out_slots, kinds, columns,
                           [need(ordered, p) for p in range(arity)])

    def _plan_first_writes(self):
        """Backward without zeroing the grad buffers: the first scatter to reach all of
        its targets assigns; a row first reached otherwise (partly, or node by node) is
        zeroed before each backward; a row never reached stays 0 from allocation."""
        written = [set(), set()]
        written[SCALAR].add(self.loss_slot)              # the seed is assigned
        zero = [set(), set()]
        for group in reversed(self.backward_groups):
            for scatter, kind in group.scatters:
                fresh = scatter.targets - written[kind]
                if fresh == scatter.targets:
                    scatter.assign = True
                else:
                    zero[kind] |= fresh
                written[kind] |= scatter.targets
            for kind, target in group.raw_targets:
                if target not in written[kind]:
                    zero[kind].add(target)
                    written[kind].add(target)
        return [(kind, np.array(sorted(rows), dtype=np.intp)) for kind, rows in enumerate(zero)
                if rows]

    def _plan_leaves(self, graph, recorder):
        """Where each replay writes data, recomputed constants; what observers read."""
        slot, kind = self.slot, graph.kind
        data = {}
        for i, role in enumerate(graph.leaf):
            if role is not None and role[0] == "data":
                _, argument, positions = role
                data.setdefault((argument, kind[i]), []).append((slot[i], positions))
        self.data_plan = []
        for (argument, leaf_kind), entries in data.items():
            entries.sort(key=lambda entry: entry[0])
            rows = index_of([s for s, _ in entries])
            positions = np.array([p for _, p in entries], dtype=np.intp)
            if leaf_kind == SCALAR:
                positions = positions.ravel()
            self.data_plan.append((leaf_kind, rows, argument, positions))
        number = graph.number
        self.constant_plan = []
        for function, sources, leaves in recorder.constants:
            targets = [(kind[number[id(v)]], slot[number[id(v)]], row)
                       for row, v in enumerate(leaves) if id(v) in number]
            self.constant_plan.append((function, sources, targets, len(leaves)))
        self.observer_plan = [(function, [(kind[number[id(v)]], slot[number[id(v)]])
                                          for v in values])
                              for function, values in recorder.observers]

    def load(self, graph, loss, parameters):
        """Fill the buffers with the traced run's own values (the first call's forward)."""
        S, V = self.S, self.V
        S[:self.parameter_count] = parameters
        for i, value in enumerate(graph.values):
            s = self.slot[i]
            if s < 0 or (graph.leaf[i] is not None and graph.leaf[i][0] == "param"):
                continue
            if graph.kind[i] == SCALAR:
                S[s] = value.data
            else:
                V[s] = value.data
        self.loss = self.slot[graph.number[id(loss)]]

    def refresh(self, arrays, parameters):
        """Write this call's leaves: parameters, data, recomputed constants."""
        buffers = self.buffers
        buffers[SCALAR][:self.parameter_count] = parameters
        for leaf_kind, rows, argument, positions in self.data_plan:
            values = arrays[argument].take(positions)
            flat = values.ravel()
            if isnan(dot(flat, flat)):         # x . x is NaN only when an entry is
                _raise_nan(values, leaf_kind, f"data argument {argument}")
            buffers[leaf_kind][rows] = values
        for function, sources, targets, count in self.constant_plan:
            result = np.asarray(function(*[arrays[a].take(p) for a, p in sources]),
                                dtype=np.float64)
            flat = result.ravel()
            if isnan(dot(flat, flat)):
                _raise_nan(result, BATCH if result.ndim else SCALAR, "autodiff.constant")
            if result.ndim < 2:
                result = result.reshape(1, *result.shape)
            if len(result) != count:
                raise ValueError(f"constant: the function returned {len(result)} rows on "
                                 f"replay, {count} when traced")
            for leaf_kind, s, row in targets:
                buffers[leaf_kind][s] = result[row]

    def forward(self, observe=True):
        """Every group in level order; then the observers (not on the traced call,
        whose eager run already called them). Returns the loss."""
        for group in self.groups:
            group.forward()
        for function, places in (self.observer_plan if observe else ()):
            function(*[float(self.buffers[k][s]) if k == SCALAR else self.buffers[k][s].copy()
                       for k, s in places])
        return float(self.S[self.loss])

    def backward(self, gradient, frozen=None):
        """Grads of every node; ``gradient`` (the parameters' flat grads) += theirs,
        except at the positions ``frozen`` (parameters that do not require grad)."""
        for kind, rows in self.zero_plan:
            self.grads[kind][rows] = 0.0
        self.GS[self.loss] = 1.0
        for group in reversed(self.backward_groups):
            group.backward()
        contribution = self.GS[:self.parameter_count]
        if frozen is not None:
            contribution = contribution.copy()
            contribution[frozen] = 0.0
        gradient += contribution
