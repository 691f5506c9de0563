"""The update rules: every optimizer's iterates equal the course notes' formula (section
8), written again here in numpy with analytic gradients (to 1e-12), and PyTorch's
optimizer where the two formulas coincide (to 1e-10); where they differ, they really
differ; and each rule trains the moons MLP. The optimizers get their gradients from the
engine."""
import numpy as np
import pytest

import nn
import optim
from autodiff import Value, batch_sum

STEPS = 50


# --- the test functions, written once for Values, floats and torch tensors -------------

def quadratic(x):
    """0.5 x^T A x - b^T x with A = [[3, 0.8], [0.8, 1]], b = [1, -2]."""
    return 0.5 * (3.0 * x[0] * x[0] + 1.6 * x[0] * x[1] + 1.0 * x[1] * x[1]) \
        - 1.0 * x[0] + 2.0 * x[1]


def quadratic_gradient(x):
    return np.array([[3.0, 0.8], [0.8, 1.0]]) @ x - np.array([1.0, -2.0])


def rosenbrock(x):
    return (1.0 - x[0]) ** 2 + 100.0 * (x[1] - x[0] ** 2) ** 2


def rosenbrock_gradient(x):
    return np.array([-2.0 * (1.0 - x[0]) - 400.0 * x[0] * (x[1] - x[0] ** 2),
                     200.0 * (x[1] - x[0] ** 2)])


PROBLEMS = {
    "quadratic": (quadratic, quadratic_gradient, [1.5, -0.5]),
    "rosenbrock": (rosenbrock, rosenbrock_gradient, [-1.2, 1.0]),
}


def iterates(params, optimizer, function, read, steps=STEPS):
    """Each step: zero the grads, backward through ``function``, step; read the params."""
    history = []
    for _ in range(steps):
        optimizer.zero_grad()
        function(params).backward()
        optimizer.step()
        history.append([read(p) for p in params])
    return np.array(history)


def engine_iterates(make_optimizer, function, start):
    """Iterates of an optim optimizer, gradients from autodiff's backward."""
    params = [Value(x) for x in start]
    return iterates(params, make_optimizer(params), function, lambda p: p.data)


def torch_iterates(torch, make_optimizer, function, start):
    """Iterates of a torch.optim optimizer, gradients from torch's autograd."""
    params = [torch.tensor(x, requires_grad=True) for x in start]
    return iterates(params, make_optimizer(params), function, lambda p: p.item())


# --- the notes' formulas in numpy: each yields x_1, x_2, ... -----------------------------

def sgd(lr, weight_decay=0.0):
    def run(x, gradient):
        for _ in range(STEPS):
            x = x - lr * (gradient(x) + weight_decay * x)
            yield x
    return run


def momentum(lr, rho, weight_decay=0.0):
    def run(x, gradient):
        dx = np.zeros_like(x)
        for _ in range(STEPS):
            dx = rho * dx - lr * (gradient(x) + weight_decay * x)
            x = x + dx
            yield x
    return run


def nesterov_lookahead(lr, rho, weight_decay=0.0):
    """The notes' form: dx_t = rho dx_{t-1} - lr grad f(x_t + rho dx_{t-1}). The
    optimizer's parameters hold the look-ahead point x_t + rho dx_{t-1}: yield that."""
    def run(x, gradient):
        dx = np.zeros_like(x)
        for _ in range(STEPS):
            ahead = x + rho * dx
            dx = rho * dx - lr * (gradient(ahead) + weight_decay * ahead)
            x = x + dx
            yield x + rho * dx
    return run


def adagrad(lr, eps=1e-6, weight_decay=0.0):
    def run(x, gradient):
        s = np.zeros_like(x)
        for _ in range(STEPS):
            g = gradient(x) + weight_decay * x
            s = s + g * g
            x = x - lr / np.sqrt(s + eps) * g
            yield x
    return run


def rmsprop(lr, gamma, eps=1e-6, weight_decay=0.0):
    def run(x, gradient):
        s = np.zeros_like(x)
        for _ in range(STEPS):
            g = gradient(x) + weight_decay * x
            s = gamma * s + (1 - gamma) * g * g
            x = x - lr / np.sqrt(s + eps) * g
            yield x
    return run


def adadelta(rho, eps, lr=1.0, weight_decay=0.0):
    def run(x, gradient):
        s, dx = np.zeros_like(x), np.zeros_like(x)
        for _ in range(STEPS):
            g = gradient(x) + weight_decay * x
            s = rho * s + (1 - rho) * g * g
            g_prime = np.sqrt((dx + eps) / (s + eps)) * g
            dx = rho * dx + (1 - rho) * g_prime * g_prime
            x = x - lr * g_prime
            yield x
    return run


def adam(lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, decoupled=False):
    def run(x, gradient):
        v, s = np.zeros_like(x), np.zeros_like(x)
        for t in range(1, STEPS + 1):
            g = gradient(x) + (0.0 if decoupled else weight_decay) * x
            if decoupled:
                x = x - lr * weight_decay * x
            v = beta1 * v + (1 - beta1) * g
            s = beta2 * s + (1 - beta2) * g * g
            v_hat, s_hat = v / (1 - beta1 ** t), s / (1 - beta2 ** t)
            x = x - lr * v_hat / (np.sqrt(s_hat) + eps)
            yield x
    return run


# id: (our optimizer, the notes' formula in numpy, torch's optimizer or None)
CASES = {
    "SGD": (lambda p: optim.SGD(p, lr=1e-3), sgd(1e-3),
            lambda torch, p: torch.optim.SGD(p, lr=1e-3)),
    "SGD-weight_decay": (lambda p: optim.SGD(p, lr=1e-3, weight_decay=0.5), sgd(1e-3, 0.5),
                         lambda torch, p: torch.optim.SGD(p, lr=1e-3, weight_decay=0.5)),
    "Momentum": (lambda p: optim.Momentum(p, lr=5e-4, rho=0.9), momentum(5e-4, 0.9),
                 lambda torch, p: torch.optim.SGD(p, lr=5e-4, momentum=0.9)),
    "Momentum-weight_decay": (
        lambda p: optim.Momentum(p, lr=5e-4, rho=0.5, weight_decay=0.1),
        momentum(5e-4, 0.5, 0.1),
        lambda torch, p: torch.optim.SGD(p, lr=5e-4, momentum=0.5, weight_decay=0.1)),
    "SGD-momentum": (lambda p: optim.SGD(p, lr=5e-4, momentum=0.9), momentum(5e-4, 0.9),
                     lambda torch, p: torch.optim.SGD(p, lr=5e-4, momentum=0.9)),
    "Nesterov": (lambda p: optim.Nesterov(p, lr=5e-4, rho=0.9), nesterov_lookahead(5e-4, 0.9),
                 lambda torch, p: torch.optim.SGD(p, lr=5e-4, momentum=0.9, nesterov=True)),
    "Nesterov-weight_decay": (
        lambda p: optim.Nesterov(p, lr=5e-4, rho=0.8, weight_decay=0.1),
        nesterov_lookahead(5e-4, 0.8, 0.1),
        lambda torch, p: torch.optim.SGD(p, lr=5e-4, momentum=0.8, nesterov=True,
                                         weight_decay=0.1)),
    "SGD-nesterov": (lambda p: optim.SGD(p, lr=5e-4, momentum=0.9, nesterov=True),
                     nesterov_lookahead(5e-4, 0.9),
                     lambda torch, p: torch.optim.SGD(p, lr=5e-4, momentum=0.9, nesterov=True)),
    "Adagrad": (lambda p: optim.Adagrad(p, lr=0.05), adagrad(0.05), None),
    "Adagrad-eps0": (lambda p: optim.Adagrad(p, lr=0.05, eps=0.0, weight_decay=0.1),
                     adagrad(0.05, 0.0, 0.1),
                     lambda torch, p: torch.optim.Adagrad(p, lr=0.05, eps=0.0,
                                                          weight_decay=0.1)),
    "RMSprop": (lambda p: optim.RMSprop(p, lr=0.01, gamma=0.9), rmsprop(0.01, 0.9), None),
    "RMSprop-eps0": (lambda p: optim.RMSprop(p, lr=0.01, gamma=0.99, eps=0.0, weight_decay=0.1),
                     rmsprop(0.01, 0.99, 0.0, 0.1),
                     lambda torch, p: torch.optim.RMSprop(p, lr=0.01, alpha=0.99, eps=0.0,
                                                          weight_decay=0.1)),
    "Adadelta": (lambda p: optim.Adadelta(p, rho=0.9, eps=1e-6), adadelta(0.9, 1e-6),
                 lambda torch, p: torch.optim.Adadelta(p, lr=1.0, rho=0.9, eps=1e-6)),
    "Adadelta-lr-weight_decay": (
        lambda p: optim.Adadelta(p, lr=0.5, rho=0.95, eps=1e-4, weight_decay=0.1),
        adadelta(0.95, 1e-4, lr=0.5, weight_decay=0.1),
        lambda torch, p: torch.optim.Adadelta(p, lr=0.5, rho=0.95, eps=1e-4, weight_decay=0.1)),
    "Adam": (lambda p: optim.Adam(p, lr=0.01), adam(0.01),
             lambda torch, p: torch.optim.Adam(p, lr=0.01)),
    "Adam-weight_decay": (
        lambda p: optim.Adam(p, lr=0.02, beta1=0.8, beta2=0.99, eps=1e-6, weight_decay=0.1),
        adam(0.02, 0.8, 0.99, 1e-6, 0.1),
        lambda torch, p: torch.optim.Adam(p, lr=0.02, betas=(0.8, 0.99), eps=1e-6,
                                          weight_decay=0.1)),
    "AdamW": (lambda p: optim.AdamW(p, lr=0.02, weight_decay=0.1),
              adam(0.02, weight_decay=0.1, decoupled=True),
              lambda torch, p: torch.optim.AdamW(p, lr=0.02, weight_decay=0.1)),
}
TORCH_CASES = [name for name, case in CASES.items() if case[2] is not None]


@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("case", CASES)
def test_fifty_steps_equal_the_notes_formula_in_numpy(case, problem):
    make_optimizer, formula, _ = CASES[case]
    function, gradient, start = PROBLEMS[problem]
    ours = engine_iterates(make_optimizer, function, start)
    expected = np.array(list(formula(np.array(start), gradient)))
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-12)
    assert np.abs(ours[-1] - start).max() > 1e-3       # the iterates really moved


@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("case", TORCH_CASES)
def test_fifty_steps_equal_torch_where_the_formulas_coincide(torch, case, problem):
    make_optimizer, _, make_torch_optimizer = CASES[case]
    function, _, start = PROBLEMS[problem]
    ours = engine_iterates(make_optimizer, function, start)
    theirs = torch_iterates(torch, lambda p: make_torch_optimizer(torch, p), function, start)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("optimizer, torch_name, options", [
    (optim.Adagrad, "Adagrad", {}), (optim.RMSprop, "RMSprop", {"gamma": 0.99})])
def test_adagrad_and_rmsprop_put_eps_inside_the_square_root_unlike_torch(
        torch, optimizer, torch_name, options):
    torch_options = {"alpha": options["gamma"]} if options else {}
    start = PROBLEMS["quadratic"][2]
    ours = engine_iterates(lambda p: optimizer(p, lr=0.1, eps=0.5, **options), quadratic, start)
    theirs = torch_iterates(torch, lambda p: getattr(torch.optim, torch_name)(
        p, lr=0.1, eps=0.5, **torch_options), quadratic, start)
    assert np.abs(ours - theirs).max() > 1e-3


def test_nesterov_practical_form_gives_the_lookahead_forms_iterates_on_a_quadratic():
    lr, rho = 0.05, 0.9
    params = [Value(1.5), Value(-0.5)]
    optimizer = optim.Nesterov(params, lr=lr, rho=rho)
    x = [1.5, -0.5]                               # the notes' x_t and dx_{t-1}
    dx = [0.0, 0.0]
    for _ in range(STEPS):
        optimizer.zero_grad()
        quadratic(params).backward()               # gradient at the parameters only
        optimizer.step()
        ahead = [Value(x_i + rho * dx_i) for x_i, dx_i in zip(x, dx)]
        quadratic(ahead).backward()                 # the look-ahead gradient, from the engine
        dx = [rho * dx_i - lr * a.grad for dx_i, a in zip(dx, ahead)]
        x = [x_i + dx_i for x_i, dx_i in zip(x, dx)]
        notes_x = [p.data - rho * optimizer.state_of(p)["dx"] for p in params]
        np.testing.assert_allclose(notes_x, x, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(x, np.linalg.solve([[3.0, 0.8], [0.8, 1.0]], [1.0, -2.0]),
                               atol=0.1)              # and it converges


def test_momentum_rho_schedule_runs_the_notes_recipe():
    params = [Value(x) for x in PROBLEMS["quadratic"][2]]
    optimizer = optim.Momentum(params, lr=0.05, rho=0.9)
    schedule = optim.ParamSchedule(optimizer, "rho", lambda step: 0.5 if step < 10 else 0.9)
    x, dx = np.array(PROBLEMS["quadratic"][2]), np.zeros(2)
    for step in range(30):
        assert optimizer.param_groups[0]["rho"] == (0.5 if step < 10 else 0.9)
        optimizer.zero_grad()
        quadratic(params).backward()
        optimizer.step()
        schedule.step()
        dx = (0.5 if step < 10 else 0.9) * dx - 0.05 * quadratic_gradient(x)
        x = x + dx
        np.testing.assert_allclose([p.data for p in params], x, rtol=1e-12, atol=1e-12)


def run_with_lr_drop(make_optimizer, steps=20, drop_at=10):
    params = [Value(x) for x in PROBLEMS["quadratic"][2]]
    optimizer = make_optimizer(params)
    for step in range(steps):
        if step == drop_at:
            optimizer.param_groups[0]["lr"] = 0.01
        optimizer.zero_grad()
        quadratic(params).backward()
        optimizer.step()
    return np.array([p.data for p in params])


def test_sgd_momentum_rescales_past_gradients_by_the_new_lr_as_torch_does(torch):
    ours = run_with_lr_drop(lambda p: optim.SGD(p, lr=0.1, momentum=0.9))
    params = [torch.tensor(x, requires_grad=True) for x in PROBLEMS["quadratic"][2]]
    optimizer = torch.optim.SGD(params, lr=0.1, momentum=0.9)
    for step in range(20):
        if step == 10:
            optimizer.param_groups[0]["lr"] = 0.01
        optimizer.zero_grad()
        quadratic(params).backward()
        optimizer.step()
    np.testing.assert_allclose(ours, [p.item() for p in params], rtol=1e-12)


def test_notes_momentum_keeps_the_velocity_it_had_when_lr_changes():
    notes = run_with_lr_drop(lambda p: optim.Momentum(p, lr=0.1, rho=0.9))
    pytorch_style = run_with_lr_drop(lambda p: optim.SGD(p, lr=0.1, momentum=0.9))
    constant = run_with_lr_drop(lambda p: optim.Momentum(p, lr=0.1, rho=0.9), drop_at=None)
    constant_sgd = run_with_lr_drop(lambda p: optim.SGD(p, lr=0.1, momentum=0.9), drop_at=None)
    np.testing.assert_allclose(constant, constant_sgd, rtol=1e-12)
    assert np.abs(notes - pytorch_style).max() > 1e-3


@pytest.mark.parametrize("case", CASES)
def test_a_batched_parameter_moves_like_the_same_numbers_held_as_floats(case):
    make_optimizer = CASES[case][0]
    start = [0.5, -1.0, 2.0]
    batched = Value(start)
    floats = [Value(x) for x in start]
    batched_optimizer, float_optimizer = make_optimizer([batched]), make_optimizer(floats)
    for _ in range(5):
        previous = batched.data
        batched_optimizer.zero_grad()
        float_optimizer.zero_grad()
        batch_sum(rosenbrock([batched, 0.3 * batched])).backward()
        sum(rosenbrock([x, 0.3 * x]) for x in floats).backward()
        batched_optimizer.step()
        float_optimizer.step()
        assert previous is not batched.data and isinstance(batched.data, np.ndarray)
        assert all(type(x.data) is float for x in floats)
        np.testing.assert_allclose(batched.data, [x.data for x in floats], rtol=1e-13)


# --- each rule trains a real model -----------------------------------------------------
#
# Each optimizer trains the moons MLP to 100% training accuracy.
#
# The set-up: 100 points of ``nn.make_moons(noise=0.1, generator=0)``, the MLP 2-16-16-1 with
# tanh (``nn.MLP(..., generator=0)``), binary cross-entropy with logits, full batch (one
# batched graph per step). The learning rates, and the steps each needs here:
#
#     optimizer                    lr      steps to 100%
#     SGD                          1.0     ~130
#     Momentum(rho=0.9)            0.1     ~105   (SGD(momentum=0.9) is the same)
#     Nesterov(rho=0.9)            0.1     ~105
#     Adagrad                      0.1     ~80
#     RMSprop(gamma=0.9)           0.01    ~115
#     Adadelta(rho=0.9, eps=1e-6)  (1.0)   ~195   (no lr in the notes' formula)
#     Adam                         0.03    ~50
#     AdamW(weight_decay=0.01)     0.03    ~50

MAX_STEPS = 400

LEARNING_RATES = {
    "SGD": lambda p: optim.SGD(p, lr=1.0),
    "SGD-momentum": lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
    "Momentum": lambda p: optim.Momentum(p, lr=0.1, rho=0.9),
    "Nesterov": lambda p: optim.Nesterov(p, lr=0.1, rho=0.9),
    "Adagrad": lambda p: optim.Adagrad(p, lr=0.1),
    "RMSprop": lambda p: optim.RMSprop(p, lr=0.01, gamma=0.9),
    "Adadelta": lambda p: optim.Adadelta(p, rho=0.9, eps=1e-6),
    "Adam": lambda p: optim.Adam(p, lr=0.03),
    "AdamW": lambda p: optim.AdamW(p, lr=0.03, weight_decay=0.01),
}


@pytest.fixture(scope="module")
def moons():
    return nn.make_moons(100, noise=0.1, generator=0)


def steps_to_perfect_accuracy(model, optimizer, X, y):
    """Full-batch training until every training point is classified right; the number
    of steps taken (None if MAX_STEPS were not enough)."""
    inputs = nn.to_values(X)
    for step in range(MAX_STEPS):
        optimizer.zero_grad()
        logits = model(inputs)
        if nn.accuracy(nn.to_numpy(logits), y) == 1.0:
            return step
        nn.binary_cross_entropy_with_logits(logits, y).backward()
        optimizer.step()
    return None


@pytest.mark.parametrize("name", LEARNING_RATES)
def test_each_optimizer_trains_the_moons_mlp_to_full_training_accuracy(name, moons):
    X, y = moons
    model = nn.MLP([2, 16, 16, 1], activation="tanh", generator=0)
    assert nn.accuracy(nn.predict(model, X), y) < 0.9
    optimizer = LEARNING_RATES[name](model.parameters())
    steps = steps_to_perfect_accuracy(model, optimizer, X, y)
    assert steps is not None, f"{name} did not reach 100% in {MAX_STEPS} steps"
    assert nn.accuracy(nn.predict(model, X), y) == 1.0
    assert np.isfinite([p.data for p in model.parameters()]).all()
