"""Shared test helpers: an independent central-difference gradient, running an image
layer of ours and torch's side by side, the batch-norm option sets, and a parser for
the DOT text that viz writes."""
import html
import re

import numpy as np

import autodiff as ad
import nn
from autodiff import Value
from nn.values import map_values
from viz.demo import chain_rule_e as notes_e


def central_difference(f, xs, eps=1e-6):
    """d f / d x_i by (f(x + eps e_i) - f(x - eps e_i)) / (2 eps), on plain floats.

    ``f`` takes a list of floats and returns a float; written here, independently of
    autodiff.gradcheck, so that the engine is checked against plain arithmetic."""
    xs = [float(x) for x in xs]
    result = []
    for i in range(len(xs)):
        up, down = list(xs), list(xs)
        up[i] += eps
        down[i] -= eps
        result.append((f(up) - f(down)) / (2 * eps))
    return np.array(result)


def run_both_images(ours, theirs, torch, X, seed=0):
    """Forward of images X (N, C, H, W) through both layers, and backward of
    sum_{n,c,i,j} K[n,c,i,j] y[n,c,i,j] with random K (every output's gradient counts).

    Returns (our output, torch's output, our input grad, torch's input grad) as arrays.
    """
    image = nn.to_image_values(X, requires_grad=True)
    out = ours(image)
    out_array = nn.to_image_numpy(out)
    weights = np.random.default_rng(seed).normal(size=out_array.shape)
    terms = [weights[:, c, i, j] * y for c, channel in enumerate(out)
             for i, row in enumerate(channel) for j, y in enumerate(row)]
    ad.batch_sum(ad.sum(terms)).backward()
    X_t = torch.tensor(X, requires_grad=True)
    out_t = theirs(X_t)
    (out_t * torch.tensor(weights)).sum().backward()
    grads = nn.to_image_numpy(map_values(lambda pixel: pixel.grad, image))
    return out_array, out_t.detach().numpy(), grads, X_t.grad.numpy()


def assert_same_as_torch(ours, theirs, torch, X, seed=0, tol=1e-6):
    """Outputs and input gradients of ours and torch's agree to ``tol`` (absolute)."""
    out, out_t, grad, grad_t = run_both_images(ours, theirs, torch, X, seed)
    assert out.shape == out_t.shape
    np.testing.assert_allclose(out, out_t, rtol=0, atol=tol)
    np.testing.assert_allclose(grad, grad_t, rtol=0, atol=tol)


# BatchNorm1d/2d option sets, shared by both layers' tests
OPTION_SETS = {"default": {}, "cumulative": {"momentum": None},
               "momentum-eps": {"momentum": 0.3, "eps": 1e-3}, "no-affine": {"affine": False},
               "no-running-stats": {"track_running_stats": False}}


# Reading the DOT text that viz writes
EDGE = re.compile(r'^\s*(\w+) -> (\w+) \[(?:label=("(?:[^"\\]|\\.)*"|[^\s\]]+))?(.*)\]$')
NODE = re.compile(r'^\s*(\w+) \[label=<(<TABLE.*</TABLE>)>(.*)\]$')
ATTRIBUTE = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|[^\s\]]+)')
PRODUCT = re.compile(r"^(\S+) × (\S+) = (\S+)$")


def _unquote(text):
    return text[1:-1].replace('\\"', '"') if text and text.startswith('"') else (text or "")


def parse_dot(source):
    """(nodes, edges) of DOT text written by viz: nodes maps id -> {"rows": the text lines
    of its label (title first), attribute: value}; edges is a list of dicts with tail,
    head, label and the attributes, in the order of the text."""
    nodes, edges = {}, []
    for line in source.splitlines():
        edge = EDGE.match(line)
        if edge:
            tail, head, label, rest = edge.groups()
            attributes = {key: _unquote(value) for key, value in ATTRIBUTE.findall(rest)}
            edges.append({"tail": tail, "head": head, "label": _unquote(label), **attributes})
            continue
        node = NODE.match(line)
        if node:
            identifier, table, rest = node.groups()
            rows = [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
                    for cell in re.findall(r"<TD>(.*?)</TD>", table)]
            nodes[identifier] = {"rows": rows, **{key: _unquote(value)
                                                  for key, value in ATTRIBUTE.findall(rest)}}
    return nodes, edges


def named_edges(source):
    """[(parent title, child title, label)] of a DOT text, titles being the first word of
    each node's first label row."""
    nodes, edges = parse_dot(source)
    title = {identifier: node["rows"][0].split()[0] for identifier, node in nodes.items()}
    return [(title[edge["tail"]], title[edge["head"]], edge["label"]) for edge in edges]


def node_rows(source):
    """title -> label rows of every node."""
    nodes, _ = parse_dot(source)
    return {node["rows"][0].split()[0]: node["rows"] for node in nodes.values()}


def traced_e():
    return ad.trace(notes_e, a=2.0, b=1.0)


def notes_values():
    """The notes' e = (a + b)(b + 1) built eagerly at a = 2, b = 1, with c = a + b and
    d = b + 1 named: returns (a, b, c, d, e). By hand: e = 6, de/dc = d = 2,
    de/dd = c = 3, de/da = 2, de/db = 2 + 3 = 5 (two paths)."""
    a, b = Value(2.0, label="a"), Value(1.0, label="b")
    e = notes_e(a, b)
    c, d = e.parents
    return a, b, c, d, e
