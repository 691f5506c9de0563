"""viz: pictures of the graph (values on nodes, derivatives on edges) and backprop steps."""
