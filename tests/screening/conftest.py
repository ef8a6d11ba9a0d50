from tests.screening.factories import sworld  # noqa: F401  (the fixture, for every test in tests/screening)
