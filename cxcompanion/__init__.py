"""CX Companion: a compass, not a stopwatch, for contact-center agents and their leads."""

__version__ = "0.1.0"
