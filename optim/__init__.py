"""optim: optimizers that read p.grad and write p.data."""
