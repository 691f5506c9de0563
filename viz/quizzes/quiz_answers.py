"""How a quiz page checks an answer it does not show: each answer is stored as hashes of
the number rounded to the precision shown, and every text that would give it away (the
number itself, the hint, the worked solution) is stored XOR-ed with a key stream, so
none of it is readable in the page. The page's script (``viz.quizzes.quiz_script``) does the
same rounding, hashing and decoding; the two must agree byte for byte.

Canonical form of a number at p significant digits: ``0``, ``nan``, ``inf``, ``-inf``,
or the sign, the significant digits without trailing zeros and the power of ten of the
first digit: 0.0625 at 3 digits -> ``625e-2``, -1500 -> ``-15e3``.

This is obfuscation, not secrecy: a student who reads the script can decode it. It
keeps the answers out of sight, which is what a practice page needs."""
import base64
import math
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from ..picture.number_format import spelled_out

_MASK = 0xFFFFFFFF


def fnv1a(text):
    """32-bit FNV-1a of ``text``'s UTF-8 bytes: h = (h xor byte) × 16777619 mod 2^32,
    from h = 2166136261."""
    value = 0x811C9DC5
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & _MASK
    return value


def _digits(x, precision, rounding):
    """(m, k): |x| ≈ m × 10^k with m an integer of ``precision`` digits, rounded."""
    exact = Decimal(abs(x))
    exponent = exact.adjusted() - precision + 1
    mantissa = int(exact.scaleb(-exponent).quantize(Decimal(1), rounding=rounding))
    return mantissa, exponent


def canonical_parts(negative, mantissa, exponent):
    """The canonical text of ±mantissa × 10^exponent (see the module)."""
    if mantissa == 0:
        return "0"
    digits = str(mantissa)
    return (f"{'-' if negative else ''}{digits.rstrip('0')}e"
            f"{exponent + len(digits) - 1}")


def canonical(x, precision):
    """``x`` rounded to ``precision`` significant digits (half to even, as Python's
    format, which the pictures use), in canonical form."""
    x = float(x)
    special = spelled_out(x)
    if special is not None:
        return special
    return canonical_parts(x < 0, *_digits(x, precision, ROUND_HALF_EVEN))


def accepted(x, precision):
    """The canonical forms a right answer may round to: ``x`` at ``precision`` digits
    rounded half to even (as shown) and half up (as the browser rounds a typed number),
    and one unit more or less in the last digit (a student working from the rounded
    numbers shown may land there)."""
    x = float(x)
    if not math.isfinite(x) or x == 0.0:
        forms = {canonical(x, precision)}
        if x == 0.0:
            forms.add("0")
        return sorted(forms)
    forms = set()
    for rounding in (ROUND_HALF_EVEN, ROUND_HALF_UP):
        mantissa, exponent = _digits(x, precision, rounding)
        for step in (-1, 0, 1):
            forms.add(canonical_parts(x < 0, mantissa + step, exponent))
    return sorted(forms)


def answer_hash(salt, form):
    """The hash stored for one accepted form: FNV-1a of ``salt:form`` as 8 hex digits."""
    return f"{fnv1a(f'{salt}:{form}'):08x}"


def _key_stream(key, count):
    """``count`` bytes of xorshift32 seeded with FNV-1a(``key``)."""
    state = fnv1a(key) or 0x9E3779B9
    out = bytearray()
    for _ in range(count):
        state = (state ^ (state << 13)) & _MASK
        state ^= state >> 17
        state = (state ^ (state << 5)) & _MASK
        out.append(state & 0xFF)
    return bytes(out)


def encode(text, key):
    """``text`` (UTF-8) XOR-ed with the key stream of ``key``, in base64."""
    data = text.encode("utf-8")
    mixed = bytes(a ^ b for a, b in zip(data, _key_stream(key, len(data))))
    return base64.b64encode(mixed).decode("ascii")


def decode(encoded, key):
    """The text ``encode`` hid (the page's script does the same)."""
    data = base64.b64decode(encoded)
    return bytes(a ^ b for a, b in zip(data, _key_stream(key, len(data)))).decode("utf-8")
