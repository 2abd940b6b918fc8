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

from .compiled_shuffle import permutation_into

# Codes for the config's choices; engine/compiled_loop.py maps the names onto them.
ACTIVATION_CODES = {"sigmoid": 0, "tanh": 1, "relu": 2, "leaky_relu": 3, "linear": 4, "step": 5}
LOSS_CODES = {"mse": 0, "bce": 1, "cce": 2, "perceptron": 3}
OPTIMIZER_CODES = {"sgd": 0, "momentum": 1, "nesterov": 2, "adagrad": 3, "rmsprop": 4, "adam": 5}
SCHEDULE_CODES = {"constant": 0, "step": 1, "exponential": 2, "cosine": 3, "warmup": 4}
CLIPPING_CODES = {"none": 0, "norm": 1, "value": 2}
REGULARIZATION_CODES = {"none": 0, "l1": 1, "l2": 2}

# Indices into the integer settings vector `ic` and the float settings vector `fc`.
I_ACTIVATION, I_LOSS, I_OPTIMIZER, I_SCHEDULE, I_CLIPPING, I_REGULARIZATION = range(6)
I_DECAY_STEPS, I_WARMUP_STEPS, I_BATCH, I_CHECK_EVERY = range(6, 10)
N_INT = 10
(F_LR, F_MOMENTUM, F_BETA1, F_BETA2, F_RHO, F_EPSILON, F_DECAY_RATE, F_CLIP,
 F_REG_RATE, F_LEAKY) = range(10)
N_FLOAT = 10
# Indices into the counters vector (read and written back): the trainer's loop state.
C_STEP, C_EPOCH, C_POSITION, C_ADAM_T, C_TRAJ_LEN, C_TRAJ_STRIDE, C_DONE, C_SHUFFLES = range(8)
N_COUNTERS = 8

FASTMATH = {"reassoc", "contract", "nsz", "arcp"}  # no nnan/ninf: divergence must stay visible
OPTIONS = dict(cache=True, nogil=True, error_model="numpy")


@njit(**OPTIONS)
def _sigmoid(z):
    """sigma(z) = (1 + tanh(z/2)) / 2, as engine.activations.sigmoid."""
    return (math.tanh(z * 0.5) + 1.0) * 0.5


@njit(**OPTIONS)
def _activate(code, z, leaky):
    """g(z) for the hidden layers (engine.activations.ACTIVATIONS[...].forward)."""
    if code == 0:
        return _sigmoid(z)
    if code == 1:
        return math.tanh(z)
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


@njit(**OPTIONS)
def _activate_rows(code, z, a, r0, m, nb, leaky):
    """a[r, :nb] = g(z[r, :nb]) for rows r0..r0+m (one loop per activation: vectorizable)."""
    for r in range(r0, r0 + m):
        zr, ar = z[r], a[r]
        if code == 1:
            for i in range(nb):
                ar[i] = math.tanh(zr[i])
        elif code == 0:
            for i in range(nb):
                ar[i] = (math.tanh(zr[i] * 0.5) + 1.0) * 0.5
        else:
            for i in range(nb):
                ar[i] = _activate(code, zr[i], leaky)


@njit(**OPTIONS, fastmath=FASTMATH)
def forward(theta, sizes, offsets, rows, xt, start, nb, z, act, activation, leaky):
    """Fill z (every layer's pre-activations) and act (hidden activations) for the nb examples
    xt[:, start:start + nb]: z_l = W_l a_{l-1} + b_l, a_l = g(z_l)."""
    n_layers = sizes.shape[0] - 1
    for l in range(n_layers):
        n_in, m, off, r = sizes[l], sizes[l + 1], offsets[l], rows[l]
        for j in range(m):
            w0 = off + j * (n_in + 1)
            zj = z[r + j]
            b = theta[w0 + n_in]
            for i in range(nb):
                zj[i] = b
            for k in range(n_in):
                w = theta[w0 + k]
                if l == 0:
                    xk = xt[k]
                    for i in range(nb):
                        zj[i] += w * xk[start + i]
                else:
                    ak = act[rows[l - 1] + k]
                    for i in range(nb):
                        zj[i] += w * ak[i]
        if l < n_layers - 1:
            _activate_rows(activation, z, act, r, m, nb, leaky)


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
                    dj[i] = (math.tanh(zj[i] * 0.5) + 1.0) * 0.5 - yj[start + i]
            elif loss == 3:  # perceptron: step(z) - y
                for i in range(nb):
                    dj[i] = (1.0 if zj[i] > 0.0 else 0.0) - yj[start + i]
            else:          # mse: 2 (z - y)
                for i in range(nb):
                    dj[i] = (zj[i] - yj[start + i]) * 2.0
    for l in range(last, -1, -1):
        n_in, m, off, r = sizes[l], sizes[l + 1], offsets[l], rows[l]
        for j in range(m):
            w0 = off + j * (n_in + 1)
            dj = delta[r + j]
            for k in range(n_in):
                s = 0.0
                if l == 0:
                    xk = xt[k]
                    for i in range(nb):
                        s += dj[i] * xk[start + i]
                else:
                    ak = act[rows[l - 1] + k]
                    for i in range(nb):
                        s += dj[i] * ak[i]
                grad[w0 + k] = s
            s = 0.0
            for i in range(nb):
                s += dj[i]
            grad[w0 + n_in] = s
        if l > 0:
            rp = rows[l - 1]
            for k in range(n_in):
                dk = delta[rp + k]
                for i in range(nb):
                    dk[i] = 0.0
            for j in range(m):
                w0 = off + j * (n_in + 1)
                dj = delta[r + j]
                for k in range(n_in):
                    w = theta[w0 + k]
                    dk = delta[rp + k]
                    for i in range(nb):
                        dk[i] += w * dj[i]
            for k in range(n_in):
                dk, zk, ak = delta[rp + k], z[rp + k], act[rp + k]
                if activation == 1:
                    for i in range(nb):
                        dk[i] *= 1.0 - ak[i] * ak[i]
                elif activation == 0:
                    for i in range(nb):
                        dk[i] *= (1.0 - ak[i]) * ak[i]
                else:
                    for i in range(nb):
                        dk[i] *= _slope(activation, zk[i], ak[i], leaky)


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
def clip(grad, kind, c):
    """Clip by global norm or by value (engine.penalties.clip_gradient)."""
    if kind == 1:
        s = 0.0
        for p in range(grad.shape[0]):
            s += grad[p] * grad[p]
        norm = math.sqrt(s)
        if norm > c:
            f = c / norm
            for p in range(grad.shape[0]):
                grad[p] *= f
    elif kind == 2:
        for p in range(grad.shape[0]):
            g = grad[p]
            grad[p] = c if g > c else (-c if g < -c else g)


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
def all_finite(theta):
    for p in range(theta.shape[0]):
        if not math.isfinite(theta[p]):
            return False
    return True


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
                trajectory, trajectory_steps, trajectory_jumps, velocity, sum_sq, mean_sq, adam_m, adam_v):
    """Run up to n minibatch updates, exactly as Trainer._train_unchecked: a new shuffle
    (rng.shuffle of 0..n-1, NumPy's permutation stream) whenever the epoch is used up, forward,
    backward, mean, penalty, clipping, scheduled rate, optimizer, theta += update, counters,
    trajectory every stride steps, and a stop when theta is not finite at a multiple of the
    check interval. rng_state is the shuffle Generator's PCG64 state (engine.compiled_shuffle).
    Reads and writes the counters; counters[C_DONE] = updates done, [C_SHUFFLES] = epochs
    shuffled."""
    n_train = x_aug.shape[0]
    n_in, k_out = sizes[0], sizes[sizes.shape[0] - 1]
    batch = ic[I_BATCH]
    n_batches = (n_train + batch - 1) // batch
    activation, loss, leaky = ic[I_ACTIVATION], ic[I_LOSS], fc[F_LEAKY]
    optimizer, clipping, reg = ic[I_OPTIMIZER], ic[I_CLIPPING], ic[I_REGULARIZATION]
    penalized = reg != 0 and fc[F_REG_RATE] > 0.0
    check_every = ic[I_CHECK_EVERY]
    step, epoch, position = counters[C_STEP], counters[C_EPOCH], counters[C_POSITION]
    adam_t = counters[C_ADAM_T]
    # the epoch buffers may have been restored (from_state): transpose them once per call
    transpose_into(x_epoch, xt, n_in)
    transpose_into(y_epoch, yt, k_out)
    done = shuffles = 0
    for _ in range(n):
        if position >= n_batches:
            permutation_into(rng_state, order)
            shuffles += 1
            for i in range(n_train):
                src = order[i]
                x_epoch[i, :] = x_aug[src, :]
                y_epoch[i, :] = y_all[src, :]
            transpose_into(x_epoch, xt, n_in)
            transpose_into(y_epoch, yt, k_out)
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
        if clipping != 0:
            clip(grad, clipping, fc[F_CLIP])
        lr = scheduled_rate(ic, fc, step)
        if optimizer == 5:
            adam_t += 1
        optimizer_update(optimizer, grad, lr, update, ic, fc, adam_t, velocity, sum_sq,
                         mean_sq, adam_m, adam_v)
        for p in range(theta.shape[0]):
            theta[p] += update[p]
        step += 1
        done += 1
        if position == n_batches:
            epoch += 1
        if step % counters[C_TRAJ_STRIDE] == 0:
            record_trajectory(theta, step, trajectory, trajectory_steps, trajectory_jumps, counters)
        if step % check_every == 0 and not all_finite(theta):
            break
    counters[C_STEP], counters[C_EPOCH], counters[C_POSITION] = step, epoch, position
    counters[C_ADAM_T], counters[C_DONE], counters[C_SHUFFLES] = adam_t, done, shuffles


@njit(**OPTIONS)
def summed_gradient(theta, sizes, offsets, rows, xt, yt, z, act, delta, grad, activation, loss,
                    leaky):
    """grad = d(summed loss over every column of xt)/dtheta, in one forward/backward pass."""
    nb = xt.shape[1]
    forward(theta, sizes, offsets, rows, xt, 0, nb, z, act, activation, leaky)
    backward(theta, sizes, offsets, rows, xt, yt, 0, nb, z, act, delta, grad, activation, loss,
             leaky)
