"""What several test modules share besides fixtures."""

from pathlib import Path

#: The course repository under test.
ROOT = Path(__file__).resolve().parents[1]
