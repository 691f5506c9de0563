"""nn: layers, activations, losses and data built only from autodiff primitives."""
