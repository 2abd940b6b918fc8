"""The training loop compiled with numba: the NumPy engine's rules, written as plain loops.

Every rule here restates one of the readable NumPy modules (activations, losses, penalties,
clipping, optimizers, schedules, the trainer's epoch/trajectory/divergence bookkeeping) in the
same arithmetic order, so both paths agree to round-off; tests/engine/test_compiled_loop.py
holds them together. Nothing here allocates per step: `train_steps` runs n updates in one call.

Layout. Parameters are the engine's flat vector: layer l is the block [W_l | b_l] of shape
(fan_out, fan_in + 1) at offsets[l]. Inside the kernels activations are TRANSPOSED, (units,
batch), so the innermost loops run over the examples of a batch (contiguous, vectorizable):
xt (n_in, n) and yt (k, n) are the epoch's shuffled inputs and targets, z / act / delta hold
every layer's rows stacked at rows[l] (hidden layers only for act).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .compiled_shuffle import pack_state, permutation_into, unpack_state  # noqa: F401

# Choices arrive as the integer codes of engine/compiled_loop.py (*_CODES).
# Indices into the integer settings vector `ic` and the float settings vector `fc`.
I_ACTIVATION, I_LOSS, I_OPTIMIZER, I_SCHEDULE, I_CLIPPING, I_REGULARIZATION = range(6)
I_DECAY_STEPS, I_WARMUP_STEPS, I_BATCH, I_HISTORY_STRIDE, I_REGRESSION = range(6, 11)
N_INT = 11
(F_LR, F_MOMENTUM, F_BETA1, F_BETA2, F_RHO, F_EPSILON, F_DECAY_RATE, F_CLIP,
 F_REG_RATE, F_LEAKY) = range(10)
N_FLOAT = 10
# Indices into the counters vector (read and written back): the trainer's loop state.
C_STEP, C_EPOCH, C_POSITION, C_ADAM_T, C_TRAJ_LEN, C_TRAJ_STRIDE, C_DONE, C_SHUFFLES = range(8)
C_CLIP_STEPS, C_CLIPPED = 8, 9   # steps taken with clipping on, and of those the ones clipped
C_ROWS = 10                      # history rows written (the call stops when `rows` is full)
C_STOP = 11                      # why the call stopped before n updates (STOP_*)
N_COUNTERS = 12
# Why train_steps stopped early: it did not; an update left a parameter non-finite; a history
# row's training loss is not finite (both: the run diverged at that step); the rows are full.
STOP_NONE, STOP_PARAMETERS, STOP_LOSS, STOP_ROWS_FULL = range(4)
# Columns of a history row: the step, the epoch, the summed train and test losses, the train
# and test examples classified right, the penalty (Trainer turns them into metrics).
(R_STEP, R_EPOCH, R_TRAIN_SUM, R_TEST_SUM, R_TRAIN_RIGHT, R_TEST_RIGHT, R_PENALTY) = range(7)
N_ROW = 7
# Indices into the gradient statistics vector (read and written back, as Trainer's):
# the last step's gradient norm before clipping, the largest finite one seen.
S_PRE_CLIP_NORM, S_PEAK_NORM = range(2)
N_STATS = 2

FASTMATH = {"reassoc", "contract", "nsz", "arcp"}  # no nnan/ninf: divergence must stay visible
OPTIONS = dict(cache=True, nogil=True, error_model="numpy")


# tanh in plain arithmetic, so that loops over a batch vectorize (libm's tanh is a scalar call,
# ~6x slower per element here). |x| < 0.625: Cephes' rational x + x^3 P(x^2)/Q(x^2); else
# 1 - 2/(e^{2|x|} + 1) with e^t = 2^k e^r, t = k ln2 + r, |r| <= ln2/2, e^r by its Taylor
# series to r^13 (remainder < 1e-17) and 2^k (k <= 58 once 2|x| is capped at 40, where tanh
# is 1 in float64) as a product of exact powers of two. Within 2 ulp of NumPy's tanh (tested);
# nan stays nan, +-inf gives +-1.
_P0, _P1, _P2 = -9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3
_Q0, _Q1, _Q2 = 1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3
_LN2_HI, _LN2_LO = 6.93147180369123816490e-01, 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e+00
_E2, _E3, _E4, _E5, _E6, _E7, _E8, _E9, _E10, _E11, _E12, _E13 = (
    1.0 / math.factorial(i) for i in range(2, 14))


@njit(**OPTIONS, inline="always")
def tanh(x):
    """tanh(x) in vectorizable arithmetic (see above), with one division: both branches are
    written as a quotient, x (Q + s P) / Q and (e - 1) / (e + 1), and the quotient is chosen
    before dividing."""
    ax = abs(x)
    s = x * x
    q = ((s + _Q0) * s + _Q1) * s + _Q2
    num_small = x * (q + s * ((_P0 * s + _P1) * s + _P2))
    t = 2.0 * ax
    t = t if t < 40.0 else 40.0
    k = int(t * _INV_LN2 + 0.5)
    r = (t - k * _LN2_HI) - k * _LN2_LO
    p = _E13 * r + _E12
    p = p * r + _E11
    p = p * r + _E10
    p = p * r + _E9
    p = p * r + _E8
    p = p * r + _E7
    p = p * r + _E6
    p = p * r + _E5
    p = p * r + _E4
    p = p * r + _E3
    p = p * r + _E2
    p = p * r + 1.0
    p = p * r + 1.0
    p = p * (2.0 if k & 1 else 1.0) * (4.0 if k & 2 else 1.0) * (16.0 if k & 4 else 1.0)
    p = p * (256.0 if k & 8 else 1.0) * (65536.0 if k & 16 else 1.0)
    e = p * (4294967296.0 if k & 32 else 1.0)   # e^t
    num_big = e - 1.0
    num_big = num_big if x >= 0.0 else -num_big
    small = ax < 0.625
    res = (num_small if small else num_big) / (q if small else e + 1.0)
    return res if x == x else x


@njit(**OPTIONS, inline="always")
def _sigmoid(z):
    """sigma(z) = (1 + tanh(z/2)) / 2, as engine.activations.sigmoid."""
    return (tanh(z * 0.5) + 1.0) * 0.5


@njit(**OPTIONS)
def _activate(code, z, leaky):
    """g(z) for the hidden layers (engine.activations.ACTIVATIONS[...].forward)."""
    if code == 0:
        return _sigmoid(z)
    if code == 1:
        return tanh(z)
    if code == 2:
        return 0.0 if z <= 0.0 else z            # max(z, 0), nan stays nan
    if code == 3:
        t = z * leaky
        return t if z < t else z                 # max(z, 0.01 z), nan stays nan
    if code == 4:
        return z
    return 1.0 if z > 0.0 else 0.0               # step


@njit(**OPTIONS)
def _slope(code, z, a, leaky):
    """g'(z) given z and a = g(z) (engine.activations.ACTIVATIONS[...].derivative)."""
    if code == 0:
        return (1.0 - a) * a
    if code == 1:
        return 1.0 - a * a
    if code == 2:
        return 1.0 if z > 0.0 else 0.0
    if code == 3:
        return (1.0 if z > 0.0 else 0.0) * (1.0 - leaky) + leaky
    if code == 4:
        return 1.0
    return 0.0


@njit(**OPTIONS, fastmath=FASTMATH)
def _activate_rows(code, z, a, r0, m, nb, leaky):
    """a[r, :nb] = g(z[r, :nb]) for rows r0..r0+m (one loop per activation: vectorizable)."""
    for r in range(r0, r0 + m):
        zr, ar = z[r], a[r]
        if code == 1:
            for i in range(nb):
                ar[i] = tanh(zr[i])
        elif code == 0:
            for i in range(nb):
                ar[i] = _sigmoid(zr[i])
        else:
            for i in range(nb):
                ar[i] = _activate(code, zr[i], leaky)


@njit(**OPTIONS, fastmath=FASTMATH)
def _affine(theta, w0, n_in, m, src, row0, col0, z, r, nb):
    """z[r + j, :nb] = b_j + sum_k W[j, k] src[row0 + k, col0:col0 + nb] for the block [W | b]
    at theta[w0:]; four inputs per pass over the batch (fewer loads and stores per multiply)."""
    for j in range(m):
        wj = w0 + j * (n_in + 1)
        zj = z[r + j]
        b = theta[wj + n_in]
        for i in range(nb):
            zj[i] = b
        k = 0
        while k + 4 <= n_in:
            wa, wb, wc, wd = theta[wj + k], theta[wj + k + 1], theta[wj + k + 2], theta[wj + k + 3]
            xa, xb, xc, xd = src[row0 + k], src[row0 + k + 1], src[row0 + k + 2], src[row0 + k + 3]
            for i in range(nb):
                c = col0 + i
                zj[i] += wa * xa[c] + wb * xb[c] + wc * xc[c] + wd * xd[c]
            k += 4
        while k < n_in:
            w = theta[wj + k]
            xk = src[row0 + k]
            for i in range(nb):
                zj[i] += w * xk[col0 + i]
            k += 1


@njit(**OPTIONS, fastmath=FASTMATH)
def _weight_gradient(grad, w0, n_in, m, src, row0, col0, delta, r, nb):
    """grad[[W | b]] = delta_j . [src_k | 1] over the batch (sums), four inputs per pass."""
    for j in range(m):
        wj = w0 + j * (n_in + 1)
        dj = delta[r + j]
        k = 0
        while k + 4 <= n_in:
            xa, xb, xc, xd = src[row0 + k], src[row0 + k + 1], src[row0 + k + 2], src[row0 + k + 3]
            sa = sb = sc = sd = 0.0
            for i in range(nb):
                c = col0 + i
                d = dj[i]
                sa += d * xa[c]
                sb += d * xb[c]
                sc += d * xc[c]
                sd += d * xd[c]
            grad[wj + k], grad[wj + k + 1], grad[wj + k + 2], grad[wj + k + 3] = sa, sb, sc, sd
            k += 4
        while k < n_in:
            xk = src[row0 + k]
            s = 0.0
            for i in range(nb):
                s += dj[i] * xk[col0 + i]
            grad[wj + k] = s
            k += 1
        s = 0.0
        for i in range(nb):
            s += dj[i]
        grad[wj + n_in] = s


@njit(**OPTIONS, fastmath=FASTMATH)
def _back_delta(theta, w0, n_in, m, delta, r, rp, z, act, nb, activation, leaky):
    """delta[rp + k] = (sum_j W[j, k] delta[r + j]) * g'(z[rp + k]), four outputs j per pass."""
    for k in range(n_in):
        dk = delta[rp + k]
        for i in range(nb):
            dk[i] = 0.0
        j = 0
        while j + 4 <= m:
            wa = theta[w0 + j * (n_in + 1) + k]
            wb = theta[w0 + (j + 1) * (n_in + 1) + k]
            wc = theta[w0 + (j + 2) * (n_in + 1) + k]
            wd = theta[w0 + (j + 3) * (n_in + 1) + k]
            da, db, dc, dd = delta[r + j], delta[r + j + 1], delta[r + j + 2], delta[r + j + 3]
            for i in range(nb):
                dk[i] += wa * da[i] + wb * db[i] + wc * dc[i] + wd * dd[i]
            j += 4
        while j < m:
            w = theta[w0 + j * (n_in + 1) + k]
            dj = delta[r + j]
            for i in range(nb):
                dk[i] += w * dj[i]
            j += 1
        zk, ak = z[rp + k], act[rp + k]
        if activation == 1:
            for i in range(nb):
                dk[i] *= 1.0 - ak[i] * ak[i]
        elif activation == 0:
            for i in range(nb):
                dk[i] *= (1.0 - ak[i]) * ak[i]
        else:
            for i in range(nb):
                dk[i] *= _slope(activation, zk[i], ak[i], leaky)


@njit(**OPTIONS, fastmath=FASTMATH)
def forward(theta, sizes, offsets, rows, xt, start, nb, z, act, activation, leaky):
    """Fill z (every layer's pre-activations) and act (hidden activations) for the nb examples
    xt[:, start:start + nb]: z_l = W_l a_{l-1} + b_l, a_l = g(z_l)."""
    n_layers = sizes.shape[0] - 1
    for l in range(n_layers):
        if l == 0:
            _affine(theta, offsets[0], sizes[0], sizes[1], xt, 0, start, z, rows[0], nb)
        else:
            _affine(theta, offsets[l], sizes[l], sizes[l + 1], act, rows[l - 1], 0, z, rows[l],
                    nb)
        if l < n_layers - 1:
            _activate_rows(activation, z, act, rows[l], sizes[l + 1], nb, leaky)


@njit(**OPTIONS, fastmath=FASTMATH)
def backward(theta, sizes, offsets, rows, xt, yt, start, nb, z, act, delta, grad,
             activation, loss, leaky):
    """grad = d(summed loss over the nb examples)/dtheta, after forward() on the same examples:
    delta_L = dL/dz_L (the loss's residual), dL/d[W|b]_l = delta_l [a_{l-1} | 1]^T,
    delta_{l-1} = (W_l^T delta_l) * g'(z_{l-1})."""
    n_layers = sizes.shape[0] - 1
    last = n_layers - 1
    k_out, r_out = sizes[n_layers], rows[last]
    # residual of the summed loss (engine.losses.*_residual)
    if loss == 2:  # cce: softmax(z) - y, per example over the output rows
        for i in range(nb):
            top = z[r_out, i]
            for j in range(1, k_out):
                v = z[r_out + j, i]
                if v > top or v != v:
                    top = v
            total = 0.0
            for j in range(k_out):
                e = math.exp(z[r_out + j, i] - top)
                delta[r_out + j, i] = e
                total += e
            for j in range(k_out):
                delta[r_out + j, i] = delta[r_out + j, i] / total - yt[j, start + i]
    else:
        for j in range(k_out):
            zj, dj, yj = z[r_out + j], delta[r_out + j], yt[j]
            if loss == 1:  # bce: sigmoid(z) - y
                for i in range(nb):
                    dj[i] = _sigmoid(zj[i]) - yj[start + i]
            elif loss == 3:  # perceptron: step(z) - y
                for i in range(nb):
                    dj[i] = (1.0 if zj[i] > 0.0 else 0.0) - yj[start + i]
            else:          # mse: 2 (z - y)
                for i in range(nb):
                    dj[i] = (zj[i] - yj[start + i]) * 2.0
    for l in range(last, -1, -1):
        n_in, m, off, r = sizes[l], sizes[l + 1], offsets[l], rows[l]
        if l == 0:
            _weight_gradient(grad, off, n_in, m, xt, 0, start, delta, r, nb)
        else:
            _weight_gradient(grad, off, n_in, m, act, rows[l - 1], 0, delta, r, nb)
            _back_delta(theta, off, n_in, m, delta, r, rows[l - 1], z, act, nb, activation,
                        leaky)


@njit(**OPTIONS)
def scheduled_rate(ic, fc, t):
    """The learning rate at step t (engine.schedules.scheduled_learning_rate)."""
    lr, kind = fc[F_LR], ic[I_SCHEDULE]
    if kind == 0:
        return lr
    if kind == 1:
        return lr * fc[F_DECAY_RATE] ** float(t // ic[I_DECAY_STEPS])
    if kind == 2:
        return lr * fc[F_DECAY_RATE] ** (t / ic[I_DECAY_STEPS])
    if kind == 3:
        steps = ic[I_DECAY_STEPS]
        return lr * 0.5 * (1.0 + math.cos(math.pi * min(t, steps) / steps))
    return lr * min(1.0, (t + 1) / ic[I_WARMUP_STEPS])


@njit(**OPTIONS, fastmath=FASTMATH)
def add_penalty(theta, weight_mask, grad, kind, rate):
    """grad += d(penalty)/dtheta (engine.penalties.add_penalty_gradient)."""
    if kind == 2:
        two_rate = 2.0 * rate
        for p in range(theta.shape[0]):
            grad[p] += two_rate * theta[p] * weight_mask[p]
    elif kind == 1:
        for p in range(theta.shape[0]):
            t = theta[p]
            sign = 1.0 if t > 0.0 else (-1.0 if t < 0.0 else (0.0 if t == 0.0 else t))
            grad[p] += rate * sign * weight_mask[p]


@njit(**OPTIONS, fastmath=FASTMATH)
def penalty_of(theta, weight_mask, kind, rate):
    """The penalty's value (engine.penalties.penalty_value): l2 rate sum w^2, l1 rate sum |w|."""
    s = 0.0
    if kind == 2:
        for p in range(theta.shape[0]):
            w = theta[p] * weight_mask[p]
            s += w * w
    elif kind == 1:
        for p in range(theta.shape[0]):
            s += abs(theta[p] * weight_mask[p])
    return rate * s


@njit(**OPTIONS, fastmath=FASTMATH)
def gradient_norm(grad):
    """||grad||_2 (engine.penalties.gradient_norm)."""
    s = 0.0
    for p in range(grad.shape[0]):
        s += grad[p] * grad[p]
    return math.sqrt(s)


@njit(**OPTIONS, fastmath=FASTMATH)
def clip(grad, kind, c, norm):
    """Clip by global norm (given: ||grad||) or by value (engine.penalties.clip_gradient);
    returns whether anything was clipped."""
    clipped = False
    if kind == 1:
        if norm > c:
            clipped = True
            f = c / norm
            for p in range(grad.shape[0]):
                grad[p] *= f
    elif kind == 2:
        for p in range(grad.shape[0]):
            g = grad[p]
            if g > c or g < -c:
                clipped = True
            grad[p] = c if g > c else (-c if g < -c else g)
    return clipped


@njit(**OPTIONS, fastmath=FASTMATH)
def optimizer_update(kind, grad, lr, update, ic, fc, t, velocity, sum_sq, mean_sq, adam_m, adam_v):
    """Write the step into update (engine.optimizers.*); t is Adam's step count after this step."""
    n = grad.shape[0]
    if kind == 0:
        for p in range(n):
            update[p] = grad[p] * -lr
    elif kind == 1:
        mu = fc[F_MOMENTUM]
        for p in range(n):
            v = velocity[p] * mu - lr * grad[p]
            velocity[p] = v
            update[p] = v
    elif kind == 2:
        mu = fc[F_MOMENTUM]
        for p in range(n):
            g = lr * grad[p]
            v = velocity[p] * mu - g
            velocity[p] = v
            update[p] = v * mu - g
    elif kind == 3:
        eps = fc[F_EPSILON]
        for p in range(n):
            g = grad[p]
            acc = sum_sq[p] + g * g
            sum_sq[p] = acc
            update[p] = g / (math.sqrt(acc) + eps) * -lr
    elif kind == 4:
        rho, eps = fc[F_RHO], fc[F_EPSILON]
        one_minus = 1.0 - rho
        for p in range(n):
            g = grad[p]
            s = mean_sq[p] * rho + one_minus * g * g
            mean_sq[p] = s
            update[p] = g / (math.sqrt(s) + eps) * -lr
    else:
        b1, b2, eps = fc[F_BETA1], fc[F_BETA2], fc[F_EPSILON]
        c2 = 1.0 - b2 ** float(t)
        step = -lr / (1.0 - b1 ** float(t))
        for p in range(n):
            g = grad[p]
            m = adam_m[p] * b1 + (1.0 - b1) * g
            v = adam_v[p] * b2 + (1.0 - b2) * g * g
            adam_m[p] = m
            adam_v[p] = v
            update[p] = m / (math.sqrt(v / c2) + eps) * step


@njit(**OPTIONS)
def transpose_into(x_rows, out, n_cols):
    """out[k, i] = x_rows[i, k] for k < n_cols (drops the ones column of augmented inputs)."""
    for i in range(x_rows.shape[0]):
        for k in range(n_cols):
            out[k, i] = x_rows[i, k]


@njit(**OPTIONS)
def gather_rows(source, order, rows_out, transposed_out, n_cols):
    """rows_out[i] = source[order[i]] (every column) and transposed_out[k, i] =
    source[order[i], k] for k < n_cols: the epoch's shuffled buffers in both layouts."""
    width = source.shape[1]
    for i in range(order.shape[0]):
        src = order[i]
        for k in range(width):
            v = source[src, k]
            rows_out[i, k] = v
            if k < n_cols:
                transposed_out[k, i] = v


@njit(**OPTIONS, fastmath={"reassoc"})
def apply_update(theta, update):
    """theta += update; returns whether every parameter is still finite. The check rides on
    the same loop: t - t is 0 for a finite t and nan for inf or nan, so the sum is 0 exactly
    when all are finite (reassoc lets the sum vectorize; no nnan/ninf, so t - t is not folded
    to 0 and the update itself is one add per parameter, as theta += update)."""
    nonfinite = 0.0
    for p in range(theta.shape[0]):
        t = theta[p] + update[p]
        theta[p] = t
        nonfinite += t - t
    return nonfinite == 0.0


@njit(**OPTIONS)
def record_trajectory(theta, step, trajectory, trajectory_steps, trajectory_jumps, counters):
    """Append theta (reached by training: no jump); when full keep every other point, a kept
    point inheriting the jump mark of the dropped one before it, and double the stride (as
    Trainer._record_trajectory)."""
    length = counters[C_TRAJ_LEN]
    capacity = trajectory.shape[0]
    if length == capacity:
        half = (capacity + 1) // 2
        for q in range(half):
            trajectory[q, :] = trajectory[2 * q, :]
            trajectory_steps[q] = trajectory_steps[2 * q]
            jump = trajectory_jumps[2 * q]
            if q > 0:
                jump = jump or trajectory_jumps[2 * q - 1]
            trajectory_jumps[q] = jump
        length = half
        counters[C_TRAJ_STRIDE] *= 2
    trajectory[length, :] = theta
    trajectory_steps[length] = step
    trajectory_jumps[length] = False
    counters[C_TRAJ_LEN] = length + 1


@njit(**OPTIONS)
def train_steps(n, theta, grad, update, weight_mask, sizes, offsets, rows, ic, fc, counters,
                rng_state, order, x_aug, y_all, x_epoch, y_epoch, xt, yt, z, act, delta,
                trajectory, trajectory_steps, trajectory_jumps, velocity, sum_sq, mean_sq, adam_m, adam_v,
                stats, train_xt, train_yt, train_labels, test_xt, test_yt, test_labels, ez, eact,
                history_rows, evaluated):
    """Run up to n minibatch updates, exactly as Trainer._train_numpy: a new shuffle
    (rng.shuffle of 0..n-1, NumPy's permutation stream) whenever the epoch is used up, forward,
    backward, mean, penalty, clipping, scheduled rate, optimizer, theta += update, counters,
    trajectory every stride steps, and a stop right after an update that leaves theta not
    finite (counters[C_STOP] = STOP_PARAMETERS). rng_state is the shuffle Generator's PCG64
    state (engine.compiled_shuffle). Reads and writes the counters; counters[C_DONE] = updates
    done, [C_SHUFFLES] = epochs shuffled, [C_CLIP_STEPS] / [C_CLIPPED] count clipping; stats
    (S_*) the gradient norms. At every step that is a multiple of ic[I_HISTORY_STRIDE] (0:
    never) a history row (R_*) is evaluated on both splits into history_rows[counters[C_ROWS]];
    the call stops when history_rows is full (STOP_ROWS_FULL) or a row's loss is not finite
    (STOP_LOSS; Trainer then says it diverged)."""
    n_train = x_aug.shape[0]
    n_in, k_out = sizes[0], sizes[sizes.shape[0] - 1]
    batch = ic[I_BATCH]
    n_batches = (n_train + batch - 1) // batch
    activation, loss, leaky = ic[I_ACTIVATION], ic[I_LOSS], fc[F_LEAKY]
    optimizer, clipping, reg = ic[I_OPTIMIZER], ic[I_CLIPPING], ic[I_REGULARIZATION]
    penalized = reg != 0 and fc[F_REG_RATE] > 0.0
    history_stride, regression = ic[I_HISTORY_STRIDE], ic[I_REGRESSION] != 0
    step, epoch, position = counters[C_STEP], counters[C_EPOCH], counters[C_POSITION]
    adam_t = counters[C_ADAM_T]
    # the epoch buffers may have been restored (from_state): transpose them once per call
    transpose_into(x_epoch, xt, n_in)
    transpose_into(y_epoch, yt, k_out)
    done = shuffles = 0
    counters[C_STOP] = STOP_NONE
    for _ in range(n):
        if position >= n_batches:
            permutation_into(rng_state, order)
            shuffles += 1
            gather_rows(x_aug, order, x_epoch, xt, n_in)
            gather_rows(y_all, order, y_epoch, yt, k_out)
            position = 0
        start = position * batch
        nb = min(batch, n_train - start)
        position += 1
        forward(theta, sizes, offsets, rows, xt, start, nb, z, act, activation, leaky)
        backward(theta, sizes, offsets, rows, xt, yt, start, nb, z, act, delta, grad,
                 activation, loss, leaky)
        scale = 1.0 / nb
        for p in range(grad.shape[0]):
            grad[p] *= scale
        if penalized:
            add_penalty(theta, weight_mask, grad, reg, fc[F_REG_RATE])
        norm = gradient_norm(grad)
        stats[S_PRE_CLIP_NORM] = norm
        if norm > stats[S_PEAK_NORM] and norm < math.inf:
            stats[S_PEAK_NORM] = norm
        if clipping != 0:
            counters[C_CLIP_STEPS] += 1
            if clip(grad, clipping, fc[F_CLIP], norm):
                counters[C_CLIPPED] += 1
        lr = scheduled_rate(ic, fc, step)
        if optimizer == 5:
            adam_t += 1
        optimizer_update(optimizer, grad, lr, update, ic, fc, adam_t, velocity, sum_sq,
                         mean_sq, adam_m, adam_v)
        finite = apply_update(theta, update)
        step += 1
        done += 1
        if position == n_batches:
            epoch += 1
        if step % counters[C_TRAJ_STRIDE] == 0:
            record_trajectory(theta, step, trajectory, trajectory_steps, trajectory_jumps, counters)
        if not finite:
            counters[C_STOP] = STOP_PARAMETERS
            break
        if history_stride > 0 and step % history_stride == 0:
            r = counters[C_ROWS]
            hr = history_rows
            evaluate(theta, sizes, offsets, rows, train_xt, train_yt, train_labels, ez, eact,
                     activation, loss, leaky, regression, evaluated)
            hr[r, R_TRAIN_SUM], hr[r, R_TRAIN_RIGHT] = evaluated[0], evaluated[1]
            evaluate(theta, sizes, offsets, rows, test_xt, test_yt, test_labels, ez, eact,
                     activation, loss, leaky, regression, evaluated)
            hr[r, R_TEST_SUM], hr[r, R_TEST_RIGHT] = evaluated[0], evaluated[1]
            hr[r, R_STEP], hr[r, R_EPOCH] = step, epoch
            hr[r, R_PENALTY] = penalty_of(theta, weight_mask, reg, fc[F_REG_RATE])
            counters[C_ROWS] = r + 1
            if not math.isfinite(hr[r, R_TRAIN_SUM] + hr[r, R_PENALTY]):
                counters[C_STOP] = STOP_LOSS
                break
            if r + 1 == hr.shape[0]:
                counters[C_STOP] = STOP_ROWS_FULL
                break
    counters[C_STEP], counters[C_EPOCH], counters[C_POSITION] = step, epoch, position
    counters[C_ADAM_T], counters[C_DONE], counters[C_SHUFFLES] = adam_t, done, shuffles


@njit(**OPTIONS)
def _log1p_exp(x):
    """log(1 + e^x) without overflow (engine.losses._log1p_exp)."""
    return (x if x > 0.0 else 0.0) + math.log1p(math.exp(-abs(x)))


@njit(**OPTIONS)
def evaluate(theta, sizes, offsets, rows, xt, yt, labels, z, act, activation, loss, leaky,
             regression, out):
    """Forward passes over every column of xt, z.shape[1] columns at a time (bounded
    memory): out[0] = the summed loss (engine.losses.* value), out[1] = the examples
    classified right (argmax of the outputs, or z > 0.5 for mse and z > 0 for the other
    losses with one output, as Trainer._evaluate; 0 for regression)."""
    n = xt.shape[1]
    chunk = z.shape[1]
    n_layers = sizes.shape[0] - 1
    k = sizes[n_layers]
    r0 = rows[n_layers - 1]
    threshold = 0.5 if loss == 0 else 0.0
    total = 0.0
    correct = 0
    for start in range(0, n, chunk):
        nb = min(chunk, n - start)
        forward(theta, sizes, offsets, rows, xt, start, nb, z, act, activation, leaky)
        for c in range(nb):
            i = start + c
            if loss == 0:
                for j in range(k):
                    d = z[r0 + j, c] - yt[j, i]
                    total += d * d
            elif loss == 1:
                zi = z[r0, c]
                total += _log1p_exp(zi) - yt[0, i] * zi
            elif loss == 2:
                m = z[r0, c]
                for j in range(1, k):
                    m = max(m, z[r0 + j, c])
                s = 0.0
                for j in range(k):
                    s += math.exp(z[r0 + j, c] - m)
                lse = m + math.log(s)
                for j in range(k):
                    total -= yt[j, i] * (z[r0 + j, c] - lse)
            else:
                t = -(2.0 * yt[0, i] - 1.0) * z[r0, c]
                total += t if t > 0.0 else 0.0
            if not regression:
                if k > 1:
                    best = 0                     # numpy's argmax: the first nan, else the max
                    for j in range(k):
                        zj = z[r0 + j, c]
                        if zj != zj:
                            best = j
                            break
                        if zj > z[r0 + best, c]:
                            best = j
                    predicted = float(best)
                else:
                    predicted = 1.0 if z[r0, c] > threshold else 0.0
                if predicted == labels[i]:
                    correct += 1
    out[0] = total
    out[1] = correct
