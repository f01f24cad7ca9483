r"""Noise draws in single precision (float32), for simulations whose cost is their noise.

A stochastic-gradient step on a small instance is a handful of array operations, and drawing its
noise costs more than all of them: numpy's ``standard_normal`` (a ziggurat, float64 or float32)
spends about 14 ns a draw on this package's reference machine, six times a uniform draw. Here the
uniforms are built from the generator's raw 32-bit words with integer operations (23 random bits
placed in a float's mantissa), a normal pair comes from two of them by the Box-Muller transform,
whose logarithm, square root, sine and cosine numpy evaluates with single-precision SIMD kernels,
and the symmetric Pareto (Lomax) and Cauchy draws are transforms of one uniform each: about four
times faster than numpy's float64 draws.

What single precision costs, per draw:

* uniforms are multiples of :math:`2^{-23}` in :math:`(0, 1]`, so a Box-Muller radius is at
  most :math:`\sqrt{2 \cdot 23 \ln 2} = 5.65`: normals are cut at :math:`\pm 5.65` (a mass of
  :math:`2^{-23} \approx 1.2 \cdot 10^{-7}` per pair moved inside the cut; the variance
  changes by about :math:`4 \cdot 10^{-6}` relative) and their tail beyond about 5 is
  coarse-grained;
* a symmetric Pareto draw with tail index :math:`\alpha` is at most :math:`2^{23/\alpha} - 1`
  (the mass :math:`2^{-23}` beyond it is cut);
* every value carries a relative rounding error of :math:`6 \cdot 10^{-8}`.

A caller that uses these says, for its claim, why these changes stay far under its resolution.
The draws are deterministic given the generator's state.
"""

from __future__ import annotations

import numpy as np

#: The single-precision type of every array returned here.
FLOAT = np.float32
_TWO_PI = FLOAT(2 * np.pi)
_ONE_BITS = np.uint32(0x3F800000)  # the bit pattern of 1.0f: exponent 0, mantissa 0
_MANTISSA_SHIFT = np.uint32(9)  # a word's top 23 bits become the mantissa
_SIGN_SHIFT = np.uint32(31)  # a word's lowest bit (unused by the mantissa) becomes the sign


def _words(rng: np.random.Generator, size: int) -> np.ndarray:
    """``size`` random 32-bit words: the generator's raw 64-bit outputs, split in two."""
    return rng.bit_generator.random_raw((size + 1) // 2).view(np.uint32)[:size]


def _unit_in_place(words: np.ndarray) -> np.ndarray:
    """Uniforms on ``(0, 1]`` (multiples of :math:`2^{-23}`) from ``words``, overwriting them.

    The top 23 bits as a mantissa under the exponent of 1 give ``f = 1 + k 2^-23`` in
    ``[1, 2)``; ``2 - f`` is exact.
    """
    np.right_shift(words, _MANTISSA_SHIFT, out=words)
    np.bitwise_or(words, _ONE_BITS, out=words)
    unit = words.view(FLOAT)
    return np.subtract(FLOAT(2), unit, out=unit)


def uniform_open(rng: np.random.Generator, size: int) -> np.ndarray:
    """``size`` float32 uniforms on ``(0, 1]`` (multiples of :math:`2^{-23}`)."""
    return _unit_in_place(_words(rng, size).copy())


def standard_normal(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    r"""Standard normals of ``shape`` in float32 (Box-Muller; cut at :math:`\pm 5.65`)."""
    size = int(np.prod(shape, dtype=np.int64))
    half = (size + 1) // 2
    words = _words(rng, 2 * half).copy()
    radius = _unit_in_place(words[:half])
    angle = _unit_in_place(words[half:])
    # radius = sqrt(-2 log u), angle = 2 pi v; the pair (r cos, r sin) is two independent normals
    np.log(radius, out=radius)
    np.multiply(radius, FLOAT(-2), out=radius)
    np.sqrt(radius, out=radius)
    np.multiply(angle, _TWO_PI, out=angle)
    out = np.empty(2 * half, dtype=FLOAT)
    np.cos(angle, out=out[:half])
    np.sin(angle, out=out[half:])
    np.multiply(out[:half], radius, out=out[:half])
    np.multiply(out[half:], radius, out=out[half:])
    return out[:size].reshape(shape)


def symmetric_pareto(rng: np.random.Generator, shape: tuple[int, ...], tail: float) -> np.ndarray:
    r"""Symmetric Lomax draws :math:`\pm(V^{-1/\alpha} - 1)`, :math:`V` uniform, in float32.

    One word gives both: its top 23 bits make :math:`V` (on :math:`(0, 1]`, at least
    :math:`2^{-23}`) and its lowest bit, independent of them, the sign.
    """
    size = int(np.prod(shape, dtype=np.int64))
    words = _words(rng, size).copy()
    sign = np.left_shift(words, _SIGN_SHIFT)
    out = _unit_in_place(words)
    # v^(-1/tail) as exp(-log(v)/tail): numpy's float32 power is not vectorised
    np.log(out, out=out)
    np.multiply(out, FLOAT(-1.0 / tail), out=out)
    np.exp(out, out=out)
    np.subtract(out, FLOAT(1), out=out)  # >= 0: its sign bit is clear, so OR sets the sign
    bits = out.view(np.uint32)
    np.bitwise_or(bits, sign, out=bits)
    return out.reshape(shape)


def standard_cauchy(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    r"""Standard Cauchy draws :math:`\tan(\pi(u - 1/2))` in float32 (at most about
    :math:`2.3 \cdot 10^{7}` in absolute value)."""
    size = int(np.prod(shape, dtype=np.int64))
    u = uniform_open(rng, size)
    np.subtract(u, FLOAT(0.5), out=u)
    np.multiply(u, FLOAT(np.pi), out=u)
    return np.tan(u, out=u).reshape(shape)
