"""convert_units: length, mass, volume, time, speed, area, data size and temperature."""

from __future__ import annotations

# unit -> (dimension, factor to the dimension's base unit)
_UNITS: dict[str, tuple[str, float]] = {
    # length (metre)
    "mm": ("length", 1e-3), "cm": ("length", 1e-2), "m": ("length", 1.0), "km": ("length", 1e3),
    "in": ("length", 0.0254), "ft": ("length", 0.3048), "yd": ("length", 0.9144),
    "mi": ("length", 1609.344), "nmi": ("length", 1852.0),
    # mass (kilogram)
    "mg": ("mass", 1e-6), "g": ("mass", 1e-3), "kg": ("mass", 1.0), "t": ("mass", 1e3),
    "oz": ("mass", 0.028349523125), "lb": ("mass", 0.45359237), "st": ("mass", 6.35029318),
    # volume (litre)
    "ml": ("volume", 1e-3), "l": ("volume", 1.0), "m3": ("volume", 1e3),
    "tsp": ("volume", 0.00492892159375), "tbsp": ("volume", 0.01478676478125),
    "cup": ("volume", 0.2365882365), "floz": ("volume", 0.0295735295625),
    "pt": ("volume", 0.473176473), "qt": ("volume", 0.946352946), "gal": ("volume", 3.785411784),
    # time (second)
    "ms": ("time", 1e-3), "s": ("time", 1.0), "min": ("time", 60.0), "h": ("time", 3600.0),
    "day": ("time", 86400.0), "week": ("time", 604800.0),
    # speed (metre per second)
    "m/s": ("speed", 1.0), "km/h": ("speed", 1000 / 3600), "mph": ("speed", 0.44704),
    "kn": ("speed", 1852 / 3600),
    # area (square metre)
    "m2": ("area", 1.0), "km2": ("area", 1e6), "ha": ("area", 1e4), "acre": ("area", 4046.8564224),
    "ft2": ("area", 0.09290304),
    # data (byte)
    "b": ("data", 1.0), "kb": ("data", 1e3), "mb": ("data", 1e6), "gb": ("data", 1e9),
    "tb": ("data", 1e12), "kib": ("data", 1024.0), "mib": ("data", 1024.0**2),
    "gib": ("data", 1024.0**3),
}  # fmt: skip

_ALIASES = {
    "meter": "m", "metre": "m", "meters": "m", "metres": "m", "kilometer": "km",
    "kilometre": "km", "kilometers": "km", "kilometres": "km", "centimeter": "cm",
    "centimetre": "cm", "millimeter": "mm", "millimetre": "mm", "inch": "in", "inches": "in",
    "foot": "ft", "feet": "ft", "yard": "yd", "yards": "yd", "mile": "mi", "miles": "mi",
    "gram": "g", "grams": "g", "kilogram": "kg", "kilograms": "kg", "kilo": "kg", "tonne": "t",
    "ounce": "oz", "ounces": "oz", "pound": "lb", "pounds": "lb", "lbs": "lb", "stone": "st",
    "liter": "l", "litre": "l", "liters": "l", "litres": "l", "milliliter": "ml",
    "millilitre": "ml", "gallon": "gal", "gallons": "gal", "pint": "pt", "quart": "qt",
    "cups": "cup", "second": "s", "seconds": "s", "sec": "s", "minute": "min", "minutes": "min",
    "hour": "h", "hours": "h", "hr": "h", "days": "day", "weeks": "week", "kph": "km/h",
    "kmh": "km/h", "knot": "kn", "knots": "kn", "byte": "b", "bytes": "b", "hectare": "ha",
    "acres": "acre", "celsius": "c", "°c": "c", "fahrenheit": "f", "°f": "f", "kelvin": "k",
}  # fmt: skip

_TEMPERATURES = {"c", "f", "k"}


def convert_units(value: float, from_unit: str, to_unit: str) -> dict[str, float | str]:
    """Convert a quantity from one unit to another of the same kind.

    Args:
        value: The amount to convert.
        from_unit: The unit it is in, e.g. "km", "lb", "F", "cup", "mph", "GiB".
        to_unit: The unit wanted, of the same kind (length, mass, volume, time, speed, area,
            data size or temperature).
    """
    src, dst = _canonical(from_unit), _canonical(to_unit)
    if src in _TEMPERATURES or dst in _TEMPERATURES:
        if not (src in _TEMPERATURES and dst in _TEMPERATURES):
            raise ValueError(f"cannot convert {from_unit} to {to_unit}: different kinds")
        result = _from_kelvin(_to_kelvin(value, src), dst)
    else:
        (src_kind, src_factor), (dst_kind, dst_factor) = _UNITS[src], _UNITS[dst]
        if src_kind != dst_kind:
            raise ValueError(f"cannot convert {from_unit} ({src_kind}) to {to_unit} ({dst_kind})")
        result = value * src_factor / dst_factor
    return {"value": value, "from": from_unit, "to": to_unit, "result": round(result, 10)}


def _canonical(unit: str) -> str:
    key = unit.strip().lower().replace(" ", "")
    key = _ALIASES.get(key, key)
    if key not in _UNITS and key not in _TEMPERATURES:
        raise ValueError(f"unknown unit {unit!r}")
    return key


def _to_kelvin(value: float, unit: str) -> float:
    if unit == "c":
        return value + 273.15
    if unit == "f":
        return (value - 32) * 5 / 9 + 273.15
    return value


def _from_kelvin(value: float, unit: str) -> float:
    if unit == "c":
        return value - 273.15
    if unit == "f":
        return (value - 273.15) * 9 / 5 + 32
    return value
