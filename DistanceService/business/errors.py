"""What the distance rules refuse; the web layer maps each to an HTTP status."""


class DistanceError(Exception):
    """Base of the business errors."""


class DistanceNotFound(DistanceError):
    pass


class UnusableCoordinates(DistanceError):
    """The customer's address has no latitude/longitude we can compute with."""
