"""Handouts: the steps of a step-through (``viz.steps``, either mode) as LaTeX for slides
and exercise sheets, or as Markdown for a notebook or a README. The numbers are those of
the text form (``print(steps)``): the engine's recorded steps, at the stepper's precision,
for the example shown. Every name is escaped, so a label such as ``x_1 & 50%`` is
typeset as written and never breaks the document.

LaTeX: a paragraph per step and an ``align*`` environment with one equation per edge,

    parent.grad = before + local × upstream = before + contribution = after   (backward)
    node.tangent = Σ local × tangent(parent) = Σ contributions = tangent      (forward)

each factor named under an underbrace; it needs ``\\usepackage{amsmath}``.
Markdown: a table per step, one row per edge."""
import re

from ..picture.equations import summed_into_scalar, summed_over_batch
from ..picture.number_format import format_number

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
}
_LATEX_PATTERN = re.compile("|".join(re.escape(character) for character in _LATEX_SPECIAL))
GRAD, TANGENT, BEFORE = r"\text{.grad}", r"\text{.tangent}", r"\text{before}"
_NUMBER = re.compile(r"(-?)(\d+(?:\.\d+)?)(?:e([+-]\d+))?")
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]<>#|$~&!{}^])")


def latex_text(text):
    """``text`` for LaTeX text mode (also inside ``\\text{}`` in math): each of
    ``\\ & % $ # _ { } ~ ^ < > |`` written as the command that prints it."""
    return _LATEX_PATTERN.sub(lambda match: _LATEX_SPECIAL[match.group()], str(text))


def latex_number(text):
    """A number as the pictures write it (``format_number``) in math mode: ``-0.5``,
    ``1.5e-05`` as ``1.5 \\times 10^{-5}``, ``nan`` and ``inf`` as words."""
    match = _NUMBER.fullmatch(text)
    if match is None:
        return rf"{'-' if text.startswith('-') else ''}\text{{{latex_text(text.lstrip('-'))}}}"
    sign, digits, exponent = match.groups()
    if exponent is None:
        return f"{sign}{digits}"
    return rf"{sign}{digits} \times 10^{{{int(exponent)}}}"


def markdown_text(text):
    """``text`` for Markdown, shown literally: each character Markdown reads as markup
    (``\\ ` * _ [ ] < > # | $ ~ & ! { } ^``) backslash-escaped, so that no name becomes
    emphasis, a link, a table cell, HTML or math; a line break as a space."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", str(text).replace("\n", " "))


def _name(stepper, node):
    return rf"\text{{{latex_text(stepper.name(node))}}}"


def _factor(number_text):
    """A number as a factor in math: negative ones in brackets."""
    number = latex_number(number_text)
    return f"({number})" if number_text.startswith("-") else number


def _braced(number_text, label):
    return rf"\underbrace{{{_factor(number_text)}}}_{{{label}}}"


def _plus_latex(terms):
    """``t1 + t2 - t3`` in math from number texts."""
    text = latex_number(terms[0])
    for term in terms[1:]:
        text += (f" - {latex_number(term[1:])}" if term.startswith("-")
                 else f" + {latex_number(term)}")
    return text


def _plus_plain(terms):
    text = terms[0]
    for term in terms[1:]:
        text += f" - {term[1:]}" if term.startswith("-") else f" + {term}"
    return text


def _partial(child, parent):
    return rf"\partial {child} / \partial {parent}"


def _operation(stepper, node):
    operands = ", ".join(_name(stepper, parent) for parent in node.parents)
    return rf"{_name(stepper, node)} = \text{{{latex_text(node.op)}}}({operands})"


def _plain_operation(stepper, node):
    operands = ", ".join(markdown_text(stepper.name(parent)) for parent in node.parents)
    return (f"{markdown_text(stepper.name(node))} = {markdown_text(node.op)}({operands})")


def _direction_note(stepper):
    """", v the seeds" when the tangents are along a direction (as the text form says)."""
    return "" if stepper.unit_seed() is not None else ", v the seeds"


def _batch_note(stepper):
    scene = stepper.scene
    return f" (numbers of {scene.example_text()})" if scene.batched else ""


# -- backward ------------------------------------------------------------------------------

def _summed(stepper, product, local, factor):
    """A product that is summed over the batch: the example's product under a brace,
    summed over the examples (``Σ over 64 examples of (2 × 0.5 = 1 for example 1)``)."""
    scene = stepper.scene
    example = format_number(scene.at(local) * scene.at(factor), stepper.precision)
    return (rf"\textstyle\sum_{{\text{{{scene.batch_size} examples}}}} \underbrace{{{product}}}"
            rf"_{{\text{{example {scene.example + 1}: }} {latex_number(example)}}}")


def _backward_edge_latex(stepper, record, edge):
    number, scene = stepper.number_text, stepper.scene
    child, parent = _name(stepper, record.node), _name(stepper, edge.parent)
    before, contribution = number(edge.parent_grad_before), number(edge.contribution)
    product = (rf"{_braced(number(edge.local_grad), _partial(child, parent))} \times "
               rf"{_braced(number(record.upstream), child + GRAD)}")
    if summed_over_batch(scene, edge.parent, edge.contribution):
        product = _summed(stepper, product, edge.local_grad, record.upstream)
    if before != "0":
        product = (rf"{_braced(before, BEFORE)} + {product} = "
                   rf"{_plus_latex([before, contribution])}")
    return (rf"{parent}\text{{.grad}} &= {product} = {latex_number(number(edge.parent_grad_after))}"
            rf" &&\text{{from {latex_text(stepper.name(record.node))}}}")


def _forward_gathered_latex(stepper, record):
    number = stepper.number_text
    node = _name(stepper, record.node)
    terms = stepper.terms(record)
    products = [rf"{_braced(number(local), _partial(node, _name(stepper, parent)))} \times "
                rf"{_braced(number(tangent), _name(stepper, parent) + TANGENT)}"
                for parent, _, local, tangent, _ in terms]
    products = [_summed(stepper, product, local, tangent)
                if summed_into_scalar(stepper.scene, record.node, local, tangent) else product
                for product, (_, _, local, tangent, _) in zip(products, terms)]
    lines = [rf"{node}\text{{.tangent}} &= " + " + ".join(products)]
    contributions = [number(term[4]) for term in terms]
    total = latex_number(number(record.tangent))
    if len(terms) > 1:
        lines.append(f"&= {_plus_latex(contributions)} = {total}")
    else:
        lines[0] += f" = {total}"
    return lines


def _align(lines):
    return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}"


def to_latex(stepper):
    """The steps of ``stepper`` as LaTeX (see the module): a heading, then per step a
    line naming the node and an ``align*`` with its equations, then the result."""
    number = stepper.number_text
    forward = stepper.word == "tangent"
    root = stepper.name(stepper.root)
    out = [r"% chainrule handout; needs \usepackage{amsmath}"]
    if forward:
        out.append(rf"\noindent\textbf{{Forward mode}}, every tangent "
                   rf"{latex_text(stepper.meaning() + _direction_note(stepper))}: "
                   rf"{len(stepper.scene)} nodes, "
                   rf"{len(stepper)} steps{latex_text(_batch_note(stepper))}. Seeds: "
                   rf"{latex_text(stepper.seed_text())}.")
    else:
        out.append(rf"\noindent\textbf{{Backward from {latex_text(root)}}}: "
                   rf"{len(stepper.scene)} nodes, {len(stepper)} steps"
                   rf"{latex_text(_batch_note(stepper))}; "
                   rf"$\text{{{latex_text(root)}.grad}} = {latex_number(number(stepper.seed()))}$.")
    for record in stepper.records:
        heading = (rf"\noindent\textbf{{Step {record.number} of {len(stepper)}:}} "
                   rf"${_operation(stepper, record.node)}$")
        if forward:
            lines = _forward_gathered_latex(stepper, record)
        else:
            heading += (rf", ${_name(stepper, record.node)}\text{{.grad}} = "
                        rf"{latex_number(number(record.upstream))}$")
            lines = [_backward_edge_latex(stepper, record, edge) for edge in record.edges]
        out += ["", heading]
        if lines:
            out.append(_align(lines))
    out += ["", r"\noindent\textbf{Result}"]
    if forward:
        results = [rf"{_name(stepper, output)}\text{{.tangent}} &= "
                   rf"{latex_number(number(stepper.tangent_at(output, len(stepper))))} "
                   rf"&&\text{{{latex_text(stepper.meaning(stepper.name(output)))}}}"
                   for output in stepper.scene.outputs]
    else:
        results = [rf"\text{{{latex_text(name)}.grad}} &= {latex_number(number(grad))}"
                   for name, grad in stepper.leaf_grads().items()]
    if results:
        out.append(_align(results))
    return "\n".join(out) + "\n"


# -- markdown -------------------------------------------------------------------------------

def _row(cells):
    return "| " + " | ".join(cells) + " |"


def _contribution_cell(stepper, local, factor, contribution, summed):
    number, scene = stepper.number_text, stepper.scene
    if not summed:
        return number(contribution)
    example = format_number(scene.at(local) * scene.at(factor), stepper.precision)
    return f"{example}; sum over {scene.batch_size} examples = {number(contribution)}"


def to_markdown(stepper):
    """The steps of ``stepper`` as Markdown: a heading line, then per step the node and
    a table with one row per edge (local × upstream = contribution, and the parent's
    grad before + contribution = after; in forward mode local × the parent's tangent =
    contribution, then the node's tangent as their sum), then the result."""
    number, scene = stepper.number_text, stepper.scene
    forward = stepper.word == "tangent"

    def name(node):
        return markdown_text(stepper.name(node))

    out = []
    if forward:
        out.append(f"**Forward mode**, every tangent "
                   f"{markdown_text(stepper.meaning() + _direction_note(stepper))}: "
                   f"{len(scene)} nodes, {len(stepper)} steps"
                   f"{markdown_text(_batch_note(stepper))}. Seeds: "
                   f"{markdown_text(stepper.seed_text())}.")
    else:
        out.append(f"**Backward from {name(stepper.root)}**: {len(scene)} nodes, "
                   f"{len(stepper)} steps{markdown_text(_batch_note(stepper))}; "
                   f"{name(stepper.root)}.grad = {number(stepper.seed())}.")
    for record in stepper.records:
        node = record.node
        heading = (f"**Step {record.number} of {len(stepper)}:** "
                   f"{_plain_operation(stepper, node)}")
        if forward:
            rows = [_row(["edge", "local", "× tangent of the parent", "= contribution"]),
                    _row([":--", "--:", "--:", "--:"])]
            terms = stepper.terms(record)
            for parent, _, local, tangent, contribution in terms:
                summed = summed_into_scalar(scene, node, local, tangent)
                rows.append(_row([f"{name(parent)} → {name(node)}", number(local),
                                  number(tangent), _contribution_cell(
                                      stepper, local, tangent, contribution, summed)]))
            total = number(record.tangent)
            sum_line = (f"{name(node)}.tangent = "
                        + (f"{_plus_plain([number(term[4]) for term in terms])} = "
                           if len(terms) > 1 else "") + total)
            out += ["", heading, "", *rows, "", sum_line]
        else:
            heading += f", {name(node)}.grad = {number(record.upstream)}"
            rows = [_row(["edge", "local", "× upstream", "= contribution", "parent's grad"]),
                    _row([":--", "--:", "--:", "--:", ":--"])]
            for edge in record.edges:
                summed = summed_over_batch(scene, edge.parent, edge.contribution)
                grad = (f"{name(edge.parent)}.grad = "
                        f"{_plus_plain([number(edge.parent_grad_before), number(edge.contribution)])}"
                        f" = {number(edge.parent_grad_after)}")
                rows.append(_row([f"{name(node)} → {name(edge.parent)}",
                                  number(edge.local_grad), number(edge.upstream),
                                  _contribution_cell(stepper, edge.local_grad, edge.upstream,
                                                     edge.contribution, summed), grad]))
            out += ["", heading, ""] + (rows if record.edges else
                                        ["(no parent needs a gradient)"])
    if forward:
        results = [f"{name(output)}.tangent = "
                   f"{number(stepper.tangent_at(output, len(stepper)))} "
                   f"({markdown_text(stepper.meaning(stepper.name(output)))})"
                   for output in scene.outputs]
    else:
        results = [f"{markdown_text(leaf)}.grad = {number(grad)}"
                   for leaf, grad in stepper.leaf_grads().items()]
    if results:
        out += ["", "**Result:** " + ", ".join(results)]
    return "\n".join(out) + "\n"

