"""stancemap: who stands where on a question of state policy, with dated evidence."""

__version__ = "0.1.0"
