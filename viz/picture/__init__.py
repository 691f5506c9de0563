"""What a picture holds, before anything is drawn: the graph read into a ``Scene``
(nodes, edges, names, clusters, the example of a batch shown), the equations written on
boxes and edges (``equations``), numbers as the pictures show them (``number_format``),
user text kept literal in DOT, HTML and scripts (``literal``), the grads put back
after a pass that writes them (``grad_snapshot``), and the types of what viz's public
functions take (``argument_types``). Imports nothing else of viz."""
